// purpose: a merge: the folded HCP's AFFILIATED_WITH go to the kept one (kept one's win)
// params: hcp_id, other_id
MATCH (keep:HCP {hcp_id: $hcp_id})
MATCH (:HCP {hcp_id: $other_id})-[r:AFFILIATED_WITH]->(i:Institution)
MERGE (keep)-[n:AFFILIATED_WITH]->(i)
ON CREATE SET n = properties(r)
DELETE r
