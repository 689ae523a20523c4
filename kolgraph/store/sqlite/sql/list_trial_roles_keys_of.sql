-- the key of every trial_roles row of the given HCPs (a JSON list): hcp_id, nct_id
SELECT hcp_id, nct_id FROM trial_roles WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
