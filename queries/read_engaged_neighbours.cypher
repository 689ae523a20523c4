// purpose: each given HCP's neighbours (co-authors, current co-members) touched in the window
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
WITH hcp_id,
     COLLECT {
       MATCH (h)-[:COAUTHORED_WITH]-(c)
       WHERE any(d IN coalesce(c.touch_dates, []) WHERE $request.since <= d <= $request.as_of)
       RETURN c.hcp_id
     }
     + COLLECT {
         MATCH (h)-[a:AFFILIATED_WITH]->(:Institution)<-[b:AFFILIATED_WITH]-(c:HCP)
         WHERE a.end_year IS NULL AND b.end_year IS NULL AND c <> h
           AND any(d IN coalesce(c.touch_dates, []) WHERE $request.since <= d <= $request.as_of)
         RETURN c.hcp_id
       } AS engaged
WHERE engaged <> []
RETURN collect([hcp_id, engaged]) AS rows
