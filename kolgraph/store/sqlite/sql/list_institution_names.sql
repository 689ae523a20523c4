-- every affiliation's HCP and institution name (current or past)
SELECT a.hcp_id, i.name
FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
