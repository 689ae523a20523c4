// purpose: which of the given HCPs were touched in the window, with the latest date
// params: hcp_ids, since, as_of, territory
UNWIND $hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})<-[:WITH]-(t:Touchpoint)
WHERE t.date >= $since AND t.date <= $as_of
  AND ($territory IS NULL OR h.territory = $territory)
RETURN hcp_id, max(t.date) AS last_touch
