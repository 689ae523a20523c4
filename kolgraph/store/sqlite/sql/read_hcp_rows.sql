-- the stored fields of each given HCP (what a source load keeps where it gives nothing)
SELECT hcp_id, first_name, last_name, credentials, specialty, city, state, postal_code, country,
       territory, npi, orcid, email
FROM hcps WHERE hcp_id IN (SELECT value FROM json_each(:keys))
