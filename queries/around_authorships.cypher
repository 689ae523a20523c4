// purpose: every AUTHORED relationship of the HCP's publications with both keys, in one record
// params: hcp_id
MATCH (:HCP {hcp_id: $hcp_id})-[:AUTHORED]->(b:Publication)
MATCH (b)<-[r:AUTHORED]-(a:HCP)
RETURN collect(r {.*, hcp_id: a.hcp_id, pmid: b.pmid}) AS rows
