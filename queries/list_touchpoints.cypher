// purpose: every touchpoint's properties with the MSL that logged it and the HCP it was with, one record per HCP
// params:
MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h:HCP)
WITH h, collect(t {.*, msl_id: m.msl_id, hcp_id: h.hcp_id}) AS rows
RETURN rows
