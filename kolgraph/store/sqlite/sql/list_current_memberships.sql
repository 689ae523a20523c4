-- every current affiliation's HCP and institution
SELECT hcp_id, institution_id FROM affiliations WHERE end_year IS NULL
