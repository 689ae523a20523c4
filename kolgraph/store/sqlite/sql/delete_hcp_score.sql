-- remove one HCP's stored score
DELETE FROM hcp_scores WHERE hcp_id = :hcp_id
