// purpose: the HCP's publications: their properties, collected in one record
// params: hcp_id
MATCH (:HCP {hcp_id: $hcp_id})-[:AUTHORED]->(n:Publication)
RETURN collect(properties(n)) AS rows
