// purpose: every COAUTHORED_WITH relationship with its properties, one record per hcp_a
// params:
MATCH (a:HCP)-[r:COAUTHORED_WITH]->(b:HCP)
WITH a, collect(r {.*, hcp_a: a.hcp_id, hcp_b: b.hcp_id}) AS rows
RETURN rows
