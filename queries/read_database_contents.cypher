// purpose: whether the database holds any node but kolgraph's bookkeeping (empty: a first load may import)
// params:
RETURN EXISTS {
  MATCH (n)
  WHERE NOT (n:KolgraphSchema OR n:DataVersion OR n:ScoreState)
} AS has_data
