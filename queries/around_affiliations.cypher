// purpose: the HCP's AFFILIATED_WITH relationships with both keys, in one record
// params: hcp_id
MATCH (a:HCP {hcp_id: $hcp_id})-[r:AFFILIATED_WITH]->(b:Institution)
RETURN collect(r {.*, hcp_id: a.hcp_id, institution_id: b.institution_id}) AS rows
