// purpose: every affiliation's HCP and institution name, current or past (a server's search index)
// params:
MATCH (h:HCP)-[:AFFILIATED_WITH]->(i:Institution)
RETURN collect([h.hcp_id, i.name]) AS rows
