-- what one person across sources compares of every HCP (kolgraph.cross_source.COLUMNS)
SELECT hcp_id, first_name, last_name, specialty, city, state, country, npi, orcid, email
FROM hcps
