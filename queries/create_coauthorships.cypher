// purpose: first load of co-author pairs, from the smaller hcp_id to the larger
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_a})
UNWIND row.partners AS partner
MATCH (b:HCP {hcp_id: partner.hcp_b})
CREATE (a)-[:COAUTHORED_WITH {papers: partner.papers, first_year: partner.first_year, last_year: partner.last_year}]->(b)
