// purpose: every AUTHORED relationship with both keys, one record per HCP
// params:
MATCH (a:HCP)-[r:AUTHORED]->(b:Publication)
WITH a, collect(r {.*, hcp_id: a.hcp_id, pmid: b.pmid}) AS rows
RETURN rows
