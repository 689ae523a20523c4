// purpose: the touchpoints of the given HCPs, as list_touches
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (t:Touchpoint)-[:WITH]->(h:HCP {hcp_id: hcp_id})
OPTIONAL MATCH (m:MSL)-[:LOGGED]->(t)
RETURN collect([h.hcp_id, m.msl_id, t.date]) AS rows
