// purpose: keep a scoring run's tiers, numbered after the newest kept
// params: scored_on, tiers_json
OPTIONAL MATCH (r:ScoreRun)
WITH coalesce(max(r.run_id), 0) + 1 AS run_id
CREATE (:ScoreRun {run_id: run_id, scored_on: $scored_on, tiers_json: $tiers_json})
