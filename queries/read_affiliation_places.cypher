// purpose: the institution id and city of every affiliation (current or past) of the given HCPs
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (:HCP {hcp_id: hcp_id})-[:AFFILIATED_WITH]->(i:Institution)
RETURN collect([hcp_id, i.institution_id, i.city]) AS rows
