// purpose: recompute touch_dates of the given HCPs, written only where it changed
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
WITH h, COLLECT { MATCH (h)<-[:WITH]-(t) RETURN t.date ORDER BY t.date } AS dates
WHERE coalesce(h.touch_dates, []) <> dates
SET h.touch_dates = CASE WHEN dates = [] THEN null ELSE dates END
