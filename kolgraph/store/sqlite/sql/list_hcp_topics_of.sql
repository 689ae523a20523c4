-- list_hcp_topics for a JSON list of HCPs (a search index mended after a correction)
SELECT term, group_concat(hcp_id, char(31)) FROM hcp_topics
WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids)) GROUP BY term
