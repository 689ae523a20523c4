// purpose: [msl_id, hcp ids] of each MSL's HCPs touched from since through as_of (one record)
// params: since, as_of
MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h:HCP)
WHERE t.date >= $since AND t.date <= $as_of
WITH m.msl_id AS msl_id, collect(DISTINCT h.hcp_id) AS hcp_ids
RETURN collect([msl_id, hcp_ids]) AS rows
