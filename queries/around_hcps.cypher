// purpose: the HCP and its co-authors: their properties, collected in one record
// params: hcp_id
MATCH (h:HCP {hcp_id: $hcp_id})
OPTIONAL MATCH (h)-[:COAUTHORED_WITH]-(c:HCP)
WITH h, collect(DISTINCT c) AS coauthors
UNWIND [h] + coauthors AS n
RETURN collect(properties(n)) AS rows
