// purpose: count one more write that made the stored scores out of date (see docs/queries.md)
// params:
MERGE (s:ScoreState {id: 1})
SET s.stale = coalesce(toInteger(s.stale), 0) + 1
