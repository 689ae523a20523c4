// purpose: set touch_dates of the given HCPs (a load into a store with no touchpoint)
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
SET h.touch_dates = row.touch_dates
