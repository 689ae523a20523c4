-- layout 6: HCPs carry a postal code
ALTER TABLE hcps ADD COLUMN postal_code TEXT
