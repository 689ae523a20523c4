// purpose: [hcp_id, name, distinct MeSH terms over all their publications] of each HCP of request.hcp_ids that exists; one record. The ids come inside a map: Neo4j caches a plan per list-size bucket (1, 2-10, 11-100, ...) of a list parameter, and a new plan costs 50-300 ms; a map parameter gets one plan. AUTHORED always ends at a Publication, so p's label is not checked.
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN collect([hcp_id, h.name, COLLECT {
  MATCH (h)-[:AUTHORED]->(p)
  UNWIND p.mesh_terms AS term
  RETURN DISTINCT term
}]) AS rows
