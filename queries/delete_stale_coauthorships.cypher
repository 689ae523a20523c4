// purpose: delete the given HCPs' COAUTHORED_WITH no capped shared publication supports
// params: hcp_ids, max_authors
UNWIND $hcp_ids AS hcp_id
MATCH (x:HCP {hcp_id: hcp_id})-[r:COAUTHORED_WITH]-(y:HCP)
WITH x, collect([r, y]) AS links
WITH links, COLLECT {
  MATCH (x)-[:AUTHORED]->(p:Publication)
  WHERE COUNT { (p)<-[:AUTHORED]-() } <= $max_authors
  MATCH (p)<-[:AUTHORED]-(z:HCP)
  RETURN DISTINCT z
} AS partners
UNWIND links AS link
WITH link[0] AS r, link[1] AS y, partners
WHERE NOT y IN partners OR startNode(r).hcp_id >= endNode(r).hcp_id
WITH DISTINCT r
DELETE r
