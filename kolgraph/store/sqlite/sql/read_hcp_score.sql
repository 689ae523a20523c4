-- one HCP's score
SELECT influence, tier, rank, components_json, rising, rising_score
FROM hcp_scores WHERE hcp_id = :hcp_id
