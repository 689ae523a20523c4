-- hcp_id and territory of the given HCPs
SELECT hcp_id, territory FROM hcps WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
