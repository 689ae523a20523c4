// purpose: the stale-making writes no stored score has seen (0 when never marked; a database of before counted true as 1)
// params:
OPTIONAL MATCH (s:ScoreState {id: 1})
RETURN coalesce(toInteger(s.stale), 0) AS stale
