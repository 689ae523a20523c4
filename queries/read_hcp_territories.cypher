// purpose: the territory of each of the given HCPs that exists
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN h.hcp_id AS hcp_id, h.territory AS territory
