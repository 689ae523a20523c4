-- whether the stored scores are out of date
SELECT stale FROM score_state WHERE id = 1
