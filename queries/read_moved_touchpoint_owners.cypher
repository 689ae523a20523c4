// purpose: the HCPs that stored touchpoints of rows (each {touchpoint_id, hcp_id}) are linked to now, where the row names another HCP: the touchpoints move away from them, so their touch_dates change too
// params: rows
UNWIND $rows AS row
MATCH (:Touchpoint {touchpoint_id: row.touchpoint_id})-[:WITH]->(h:HCP)
WHERE h.hcp_id <> row.hcp_id
RETURN collect(DISTINCT h.hcp_id) AS hcp_ids
