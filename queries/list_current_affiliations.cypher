// purpose: the current affiliations (no end_year) of the given HCPs; one record
// params: hcp_ids
UNWIND $hcp_ids AS hcp_id
MATCH (:HCP {hcp_id: hcp_id})-[a:AFFILIATED_WITH]->(i:Institution)
WHERE a.end_year IS NULL
RETURN collect([hcp_id, a.start_year, i.institution_id, i.name]) AS rows
