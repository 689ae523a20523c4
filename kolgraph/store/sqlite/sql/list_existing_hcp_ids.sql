-- which of the given HCP ids are stored
SELECT hcp_id FROM hcps WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
