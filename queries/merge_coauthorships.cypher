// purpose: recount the given HCPs' co-author pairs over capped papers; write only changes
// params: hcp_ids, max_authors
UNWIND $hcp_ids AS hcp_id
MATCH (x:HCP {hcp_id: hcp_id})-[:AUTHORED]->(p:Publication)
WHERE COUNT { (p)<-[:AUTHORED]-() } <= $max_authors
MATCH (p)<-[:AUTHORED]-(y:HCP)
WHERE y <> x
WITH x, y, count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year
WITH DISTINCT
     CASE WHEN x.hcp_id < y.hcp_id THEN x ELSE y END AS a,
     CASE WHEN x.hcp_id < y.hcp_id THEN y ELSE x END AS b,
     papers, first_year, last_year
MERGE (a)-[r:COAUTHORED_WITH]->(b)
WITH r, papers, first_year, last_year
WHERE r.papers IS NULL OR r.papers <> papers
   OR coalesce(r.first_year, -1) <> coalesce(first_year, -1)
   OR coalesce(r.last_year, -1) <> coalesce(last_year, -1)
SET r.papers = papers, r.first_year = first_year, r.last_year = last_year
