// purpose: the HCP's INVESTIGATOR_ON relationships with both keys, in one record
// params: hcp_id
MATCH (a:HCP {hcp_id: $hcp_id})-[r:INVESTIGATOR_ON]->(b:Trial)
RETURN collect(r {.*, hcp_id: a.hcp_id, nct_id: b.nct_id}) AS rows
