// purpose: the NPI of each of the given HCPs that has one
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
WHERE h.npi IS NOT NULL
RETURN h.hcp_id AS hcp_id, h.npi AS npi
