// purpose: record that a load changed what scores are computed from (cleared by mark_scores_fresh)
// params:
MERGE (s:ScoreState {id: 1})
SET s.stale = true
