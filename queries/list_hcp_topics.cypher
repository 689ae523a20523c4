// purpose: each MeSH term with the ids of the HCPs who published on it (a server's search index)
// params:
MATCH (h:HCP)-[:AUTHORED]->(p:Publication)
UNWIND coalesce(p.mesh_terms, []) AS term
WITH term, collect(DISTINCT h.hcp_id) AS hcp_ids
RETURN collect([term, hcp_ids]) AS rows
