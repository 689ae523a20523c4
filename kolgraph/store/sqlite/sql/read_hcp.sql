-- one HCP's properties
SELECT hcp_id, first_name, last_name, name, credentials, specialty, city, state, country,
       territory, npi, orcid, email
FROM hcps WHERE hcp_id = :hcp_id
