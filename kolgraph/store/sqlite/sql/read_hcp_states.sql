-- the state of each given HCP that has one
SELECT hcp_id, state FROM hcps
WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids)) AND state IS NOT NULL
