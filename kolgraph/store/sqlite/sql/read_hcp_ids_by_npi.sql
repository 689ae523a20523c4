-- the HCPs holding each of the given NPIs (a JSON array)
SELECT npi, hcp_id FROM hcps WHERE npi IN (SELECT value FROM json_each(:npis)) ORDER BY npi, hcp_id
