// purpose: remove one HCP and what is left of its relationships (a merge moved its links)
// params: hcp_id
MATCH (h:HCP {hcp_id: $hcp_id})
DETACH DELETE h
