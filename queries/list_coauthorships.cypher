// purpose: every COAUTHORED_WITH relationship (stored once per pair, from hcp_a to hcp_b) with its properties, one record per hcp_a
// params:
MATCH (a:HCP)-[r:COAUTHORED_WITH]->(b:HCP)
WITH a, collect(r {.*, hcp_a: a.hcp_id, hcp_b: b.hcp_id}) AS rows
RETURN rows
