// purpose: the ids of every HCP with a touchpoint dated from since through as_of
// params: since, as_of
MATCH (t:Touchpoint)-[:WITH]->(h:HCP)
WHERE t.date >= $since AND t.date <= $as_of
RETURN collect(DISTINCT h.hcp_id) AS hcp_ids
