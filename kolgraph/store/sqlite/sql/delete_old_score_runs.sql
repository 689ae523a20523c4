-- drop all but the newest :keep scoring runs
DELETE FROM score_runs WHERE run_id NOT IN (SELECT run_id FROM score_runs ORDER BY run_id DESC LIMIT :keep)
