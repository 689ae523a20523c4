// purpose: every touchpoint's HCP, MSL and date (a server's gaps snapshot)
// params:
MATCH (t:Touchpoint)-[:WITH]->(h:HCP)
OPTIONAL MATCH (m:MSL)-[:LOGGED]->(t)
RETURN collect([h.hcp_id, m.msl_id, t.date]) AS rows
