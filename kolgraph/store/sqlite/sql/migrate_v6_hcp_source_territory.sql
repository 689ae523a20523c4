-- layout 6: the explicit territory an aligned one replaced (alignment with override)
ALTER TABLE hcps ADD COLUMN source_territory TEXT
