// purpose: HCPs the given touchpoints move away from (their touch_dates change)
// params: rows
UNWIND $rows AS row
MATCH (:Touchpoint {touchpoint_id: row.touchpoint_id})-[:WITH]->(h:HCP)
WHERE h.hcp_id <> row.hcp_id
RETURN collect(DISTINCT h.hcp_id) AS hcp_ids
