// purpose: scores computed after $seen stale marks are stored: only later marks remain
// params: seen
MERGE (s:ScoreState {id: 1})
SET s.stale = CASE WHEN coalesce(toInteger(s.stale), 0) > $seen
                   THEN coalesce(toInteger(s.stale), 0) - $seen ELSE 0 END
