// purpose: the HCP's COAUTHORED_WITH relationships with both keys, in one record
// params: hcp_id
MATCH (:HCP {hcp_id: $hcp_id})-[r:COAUTHORED_WITH]-(:HCP)
RETURN collect(r {.*, hcp_a: startNode(r).hcp_id, hcp_b: endNode(r).hcp_id}) AS rows
