// purpose: set touch_dates of the HCPs in rows (each {hcp_id, touch_dates}: the sorted dates of its touchpoints, computed from a load into a store that held no touchpoint)
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
SET h.touch_dates = row.touch_dates
