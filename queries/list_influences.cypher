// purpose: every scored HCP's influence
// params:
MATCH (h:HCP)
WHERE h.influence IS NOT NULL
RETURN h.hcp_id AS hcp_id, h.influence AS influence
