// purpose: the ids of every HCP touched from since through as_of (by msl_id when given)
// params: since, as_of, msl_id
MATCH (t:Touchpoint)-[:WITH]->(h:HCP)
WHERE t.date >= $since AND t.date <= $as_of
  AND ($msl_id IS NULL OR EXISTS { (:MSL {msl_id: $msl_id})-[:LOGGED]->(t) })
RETURN collect(DISTINCT h.hcp_id) AS hcp_ids
