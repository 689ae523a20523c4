// purpose: the stale marks no stored score has seen (0 when never marked)
// params:
OPTIONAL MATCH (s:ScoreState {id: 1})
RETURN coalesce(toInteger(s.stale), 0) AS stale
