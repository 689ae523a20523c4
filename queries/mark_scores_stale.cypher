// purpose: one more write that made the stored scores out of date (a load or a correction changed what they are computed from); stale counts those a score run has not yet seen (a database of before counted true as 1)
// params:
MERGE (s:ScoreState {id: 1})
SET s.stale = coalesce(toInteger(s.stale), 0) + 1
