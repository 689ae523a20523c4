-- the names of the given HCPs
SELECT hcp_id, name FROM hcps WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
