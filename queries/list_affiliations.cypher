// purpose: every AFFILIATED_WITH relationship with both keys, one record per HCP
// params:
MATCH (a:HCP)-[r:AFFILIATED_WITH]->(b:Institution)
WITH a, collect(r {.*, hcp_id: a.hcp_id, institution_id: b.institution_id}) AS rows
RETURN rows
