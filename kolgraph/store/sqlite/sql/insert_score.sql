-- one HCP score
INSERT INTO hcp_scores (hcp_id, influence, tier, rank, components_json, rising, rising_score)
VALUES (:hcp_id, :influence, :tier, :rank, :components_json, :rising, :rising_score)
