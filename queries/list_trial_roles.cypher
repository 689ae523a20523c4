// purpose: every INVESTIGATOR_ON relationship with both keys, one record per HCP
// params:
MATCH (a:HCP)-[r:INVESTIGATOR_ON]->(b:Trial)
WITH a, collect(r {.*, hcp_id: a.hcp_id, nct_id: b.nct_id}) AS rows
RETURN rows
