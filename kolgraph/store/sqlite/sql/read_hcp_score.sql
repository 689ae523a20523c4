-- one HCP's score
SELECT influence, tier, rank, components_json, rising, rising_score, components_raw_json
FROM hcp_scores WHERE hcp_id = :hcp_id
