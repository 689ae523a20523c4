// purpose: each given HCP's neighbours over co-authorship and shared current institution
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
WITH hcp_id,
     COLLECT { MATCH (h)-[:COAUTHORED_WITH]-(c) RETURN c.hcp_id }
     + COLLECT {
         MATCH (h)-[a:AFFILIATED_WITH]->(:Institution)<-[b:AFFILIATED_WITH]-(c:HCP)
         WHERE a.end_year IS NULL AND b.end_year IS NULL AND c <> h
         RETURN c.hcp_id
       } AS near
RETURN collect([hcp_id, near]) AS rows
