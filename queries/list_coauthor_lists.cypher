// purpose: every HCP's co-author ids (one record per HCP that has any), for the reach index
// params:
MATCH (a:HCP)-[:COAUTHORED_WITH]-(b:HCP)
RETURN a.hcp_id AS hcp_id, collect(b.hcp_id) AS coauthors
