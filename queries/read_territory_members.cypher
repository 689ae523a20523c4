// purpose: the ids of the HCPs of one territory
// params: territory
MATCH (h:HCP)
WHERE h.territory = $territory
RETURN collect(h.hcp_id) AS hcp_ids
