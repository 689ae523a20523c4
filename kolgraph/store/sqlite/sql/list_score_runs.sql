-- every kept scoring run, newest first
SELECT run_id, scored_on FROM score_runs ORDER BY run_id DESC
