-- one scoring run's tiers
SELECT tiers_json FROM score_runs WHERE run_id = :run_id
