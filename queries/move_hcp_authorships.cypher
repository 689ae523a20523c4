// purpose: a merge: the folded HCP's AUTHORED go to the kept one (kept one's win)
// params: hcp_id, other_id
MATCH (keep:HCP {hcp_id: $hcp_id})
MATCH (:HCP {hcp_id: $other_id})-[r:AUTHORED]->(p:Publication)
MERGE (keep)-[n:AUTHORED]->(p)
ON CREATE SET n = properties(r)
DELETE r
