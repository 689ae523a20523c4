-- the MeSH terms of the given HCPs
SELECT hcp_id, term FROM hcp_topics WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
