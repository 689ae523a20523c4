-- one HCP score (the values in the order of store.common.score_columns)
INSERT INTO hcp_scores (hcp_id, influence, tier, rank, components_json, rising, rising_score,
                        components_raw_json)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
