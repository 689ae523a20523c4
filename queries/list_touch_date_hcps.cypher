// purpose: every HCP with a touchpoint or a touch_dates property: those a full touch_dates backfill recomputes
// params:
MATCH (h:HCP)
WHERE h.touch_dates IS NOT NULL OR EXISTS { (h)<-[:WITH]-() }
RETURN collect(h.hcp_id) AS hcp_ids
