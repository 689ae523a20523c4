// purpose: a merge: the folded HCP's touchpoints are the kept one's
// params: hcp_id, other_id
MATCH (keep:HCP {hcp_id: $hcp_id})
MATCH (:HCP {hcp_id: $other_id})<-[r:WITH]-(t:Touchpoint)
MERGE (t)-[:WITH]->(keep)
DELETE r
