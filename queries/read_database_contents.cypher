// purpose: whether the database holds a node other than kolgraph's bookkeeping ones
// params:
RETURN EXISTS {
  MATCH (n)
  WHERE NOT (n:KolgraphSchema OR n:DataVersion OR n:ScoreState)
} AS has_data
