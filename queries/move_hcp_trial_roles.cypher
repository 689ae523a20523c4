// purpose: a merge: the folded HCP's INVESTIGATOR_ON go to the kept one (kept one's win)
// params: hcp_id, other_id
MATCH (keep:HCP {hcp_id: $hcp_id})
MATCH (:HCP {hcp_id: $other_id})-[r:INVESTIGATOR_ON]->(t:Trial)
MERGE (keep)-[n:INVESTIGATOR_ON]->(t)
ON CREATE SET n = properties(r)
DELETE r
