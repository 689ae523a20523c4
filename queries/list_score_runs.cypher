// purpose: every kept scoring run, newest first
// params:
MATCH (r:ScoreRun)
RETURN r.run_id AS run_id, r.scored_on AS scored_on
ORDER BY r.run_id DESC
