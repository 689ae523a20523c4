// purpose: list_hcp_topics for the given HCPs only (a search index mended)
// params: hcp_ids
MATCH (h:HCP)-[:AUTHORED]->(p:Publication)
WHERE h.hcp_id IN $hcp_ids
UNWIND coalesce(p.mesh_terms, []) AS term
WITH term, collect(DISTINCT h.hcp_id) AS hcp_ids
RETURN collect([term, hcp_ids]) AS rows
