// purpose: the institutions of the HCP's affiliations: their properties, in one record
// params: hcp_id
MATCH (:HCP {hcp_id: $hcp_id})-[:AFFILIATED_WITH]->(n:Institution)
RETURN collect(DISTINCT properties(n)) AS rows
