-- give the kept HCP of a merge the fields it lacked (a null parameter keeps the stored value)
UPDATE hcps SET credentials = COALESCE(:credentials, credentials),
                specialty = COALESCE(:specialty, specialty),
                city = COALESCE(:city, city),
                state = COALESCE(:state, state),
                country = COALESCE(:country, country),
                npi = COALESCE(:npi, npi),
                orcid = COALESCE(:orcid, orcid),
                email = COALESCE(:email, email)
WHERE hcp_id = :hcp_id
