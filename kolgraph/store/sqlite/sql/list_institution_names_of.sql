-- list_institution_names for a JSON list of HCPs (a search index mended after a correction)
SELECT a.hcp_id, i.name
FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
WHERE a.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
