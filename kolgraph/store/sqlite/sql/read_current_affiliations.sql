-- current affiliations (no end year) of the given HCPs, with the institution's name
SELECT a.hcp_id, a.start_year, a.institution_id, i.name
FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
WHERE a.end_year IS NULL AND a.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
