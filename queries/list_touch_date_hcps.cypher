// purpose: every HCP with a touchpoint or a touch_dates property (what a backfill redoes)
// params:
MATCH (h:HCP)
WHERE h.touch_dates IS NOT NULL OR EXISTS { (h)<-[:WITH]-() }
RETURN collect(h.hcp_id) AS hcp_ids
