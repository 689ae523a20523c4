-- keep a scoring run's tiers
INSERT INTO score_runs (scored_on, tiers_json) VALUES (:scored_on, :tiers_json)
