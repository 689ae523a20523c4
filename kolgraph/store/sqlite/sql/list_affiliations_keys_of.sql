-- the key of every affiliations row of the given HCPs (a JSON list): hcp_id, institution_id
SELECT hcp_id, institution_id FROM affiliations WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
