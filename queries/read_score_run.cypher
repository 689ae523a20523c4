// purpose: one scoring run's tiers
// params: run_id
MATCH (r:ScoreRun {run_id: $run_id})
RETURN r.tiers_json AS tiers_json
