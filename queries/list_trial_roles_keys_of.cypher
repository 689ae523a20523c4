// purpose: [hcp_id, nct_id] of each INVESTIGATOR_ON relationship of the given HCPs
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (:HCP {hcp_id: hcp_id})-[:INVESTIGATOR_ON]->(b:Trial)
RETURN collect([hcp_id, b.nct_id]) AS rows
