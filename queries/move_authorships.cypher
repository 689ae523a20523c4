// purpose: a split: the HCP's AUTHORED of the given PMIDs go to the new HCP
// params: hcp_id, other_id, pmids
MATCH (new:HCP {hcp_id: $other_id})
MATCH (:HCP {hcp_id: $hcp_id})-[r:AUTHORED]->(p:Publication)
WHERE p.pmid IN $pmids
CREATE (new)-[n:AUTHORED]->(p)
SET n = properties(r)
DELETE r
