-- the institution id and city of every affiliation (current or past) of the given HCPs
SELECT a.hcp_id, a.institution_id, i.city
FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
WHERE a.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
