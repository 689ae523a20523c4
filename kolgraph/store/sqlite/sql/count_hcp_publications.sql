-- how many publications one HCP authored
SELECT COUNT(*) FROM authorships WHERE hcp_id = :hcp_id
