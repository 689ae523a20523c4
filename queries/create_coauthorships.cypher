// purpose: first load of authorships: create each co-author pair (computed from the batch) from the smaller hcp_id to the larger
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_a})
MATCH (b:HCP {hcp_id: row.hcp_b})
CREATE (a)-[:COAUTHORED_WITH {papers: row.papers, first_year: row.first_year, last_year: row.last_year}]->(b)
