// purpose: every touchpoint with its MSL and HCP, one record per HCP
// params:
MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h:HCP)
WITH h, collect(t {.*, msl_id: m.msl_id, hcp_id: h.hcp_id}) AS rows
RETURN rows
