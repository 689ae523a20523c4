// purpose: whether the stored scores are out of date (false when never marked)
// params:
OPTIONAL MATCH (s:ScoreState {id: 1})
RETURN coalesce(s.stale, false) AS stale
