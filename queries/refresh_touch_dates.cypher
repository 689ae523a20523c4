// purpose: recompute touch_dates of the HCPs in rows (each {hcp_id}): the dates of the HCP's touchpoints, sorted, or no property when it has none; written only where it changed (so reloading an unchanged bundle rewrites nothing). WITH always comes from a Touchpoint, so t's label is not checked.
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
WITH h, COLLECT { MATCH (h)<-[:WITH]-(t) RETURN t.date ORDER BY t.date } AS dates
WHERE coalesce(h.touch_dates, []) <> dates
SET h.touch_dates = CASE WHEN dates = [] THEN null ELSE dates END
