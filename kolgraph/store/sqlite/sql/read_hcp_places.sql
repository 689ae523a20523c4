-- the country, state and postal code of each given HCP
SELECT hcp_id, country, state, postal_code FROM hcps
WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
