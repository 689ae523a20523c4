// purpose: hcp_id, name and distinct MeSH terms of each given HCP; one record
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN collect([hcp_id, h.name, COLLECT {
  MATCH (h)-[:AUTHORED]->(p)
  UNWIND p.mesh_terms AS term
  RETURN DISTINCT term
}]) AS rows
