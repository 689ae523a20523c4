-- one HCP score
INSERT INTO hcp_scores (hcp_id, influence, tier, rank, components_json, rising, rising_score,
                        components_raw_json)
VALUES (:hcp_id, :influence, :tier, :rank, :components_json, :rising, :rising_score,
        :components_raw_json)
