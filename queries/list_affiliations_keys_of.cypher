// purpose: [hcp_id, institution_id] of each AFFILIATED_WITH relationship of the given HCPs
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (:HCP {hcp_id: hcp_id})-[:AFFILIATED_WITH]->(b:Institution)
RETURN collect([hcp_id, b.institution_id]) AS rows
