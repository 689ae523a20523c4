-- one more write that made the stored scores out of date (a load or a correction changed
-- what they are computed from): stale counts those a score run has not yet seen
UPDATE score_state SET stale = stale + 1 WHERE id = 1
