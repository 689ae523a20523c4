-- the NPI of each of the given HCPs (a JSON array) that has one
SELECT hcp_id, npi FROM hcps
WHERE npi IS NOT NULL AND hcp_id IN (SELECT value FROM json_each(:hcp_ids))
