// purpose: co-authorships among the given HCPs with at least $min_papers joint papers
// params: hcp_ids, min_papers
UNWIND $hcp_ids AS hcp_id
MATCH (a:HCP {hcp_id: hcp_id})-[r:COAUTHORED_WITH]->(b:HCP)
WHERE r.papers >= $min_papers AND b.hcp_id IN $hcp_ids
RETURN a.hcp_id AS hcp_a, b.hcp_id AS hcp_b, r.papers AS papers
