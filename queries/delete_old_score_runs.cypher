// purpose: drop all but the newest $keep scoring runs
// params: keep
MATCH (r:ScoreRun)
WITH r ORDER BY r.run_id DESC
SKIP $keep
DELETE r
