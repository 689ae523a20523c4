-- every stored score, by hcp_id
SELECT hcp_id, influence, tier, rank, components_json, rising, rising_score
FROM hcp_scores ORDER BY hcp_id
