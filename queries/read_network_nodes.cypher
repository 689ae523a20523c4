// purpose: name, specialty, territory, score and last touch date of the given HCPs
// params: hcp_ids, as_of
UNWIND $hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
CALL (h) {
  OPTIONAL MATCH (h)<-[:WITH]-(t:Touchpoint)
  WHERE t.date <= $as_of
  RETURN max(t.date) AS last_touch
}
RETURN h.hcp_id AS hcp_id, h.name AS name, h.specialty AS specialty, h.territory AS territory,
       h.tier AS tier, h.influence AS influence, last_touch
