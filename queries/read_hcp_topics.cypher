// purpose: name and distinct MeSH terms (over all their publications) of each of the given HCPs that exists
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN hcp_id, h.name AS name,
       COLLECT {
         MATCH (h)-[:AUTHORED]->(p:Publication)
         UNWIND p.mesh_terms AS term
         RETURN DISTINCT term
       } AS topics
