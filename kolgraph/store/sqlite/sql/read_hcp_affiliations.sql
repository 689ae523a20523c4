-- one HCP's affiliations with their institutions
SELECT a.institution_id, i.name AS institution, i.type, i.city, a.role, a.start_year, a.end_year
FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
WHERE a.hcp_id = :hcp_id
