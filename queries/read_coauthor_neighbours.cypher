// purpose: the co-authorships of the given HCPs with at least $min_papers joint papers
// params: hcp_ids, min_papers
UNWIND $hcp_ids AS hcp_id
MATCH (a:HCP {hcp_id: hcp_id})-[r:COAUTHORED_WITH]-(b:HCP)
WHERE r.papers >= $min_papers
RETURN collect([a.hcp_id, b.hcp_id, r.papers]) AS rows
