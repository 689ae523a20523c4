-- the key of every authorships row of the given HCPs (a JSON list): hcp_id, pmid
SELECT hcp_id, pmid FROM authorships WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
