// purpose: the trials of the HCP's roles: their properties, collected in one record
// params: hcp_id
MATCH (:HCP {hcp_id: $hcp_id})-[:INVESTIGATOR_ON]->(n:Trial)
RETURN collect(DISTINCT properties(n)) AS rows
