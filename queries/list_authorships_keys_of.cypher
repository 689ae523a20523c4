// purpose: [hcp_id, pmid] of each AUTHORED relationship of the given HCPs
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (:HCP {hcp_id: hcp_id})-[:AUTHORED]->(b:Publication)
RETURN collect([hcp_id, b.pmid]) AS rows
