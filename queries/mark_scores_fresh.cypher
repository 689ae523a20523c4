// purpose: record that every score was just recomputed (after a complete score run)
// params:
MERGE (s:ScoreState {id: 1})
SET s.stale = false
