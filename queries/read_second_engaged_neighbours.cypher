// purpose: each given HCP's HCPs two hops away (a neighbour's neighbour) touched in the window
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
CALL (h) {
  MATCH (h)-[:COAUTHORED_WITH]-(x:HCP)
  RETURN x
  UNION
  MATCH (h)-[a:AFFILIATED_WITH]->(:Institution)<-[b:AFFILIATED_WITH]-(x:HCP)
  WHERE a.end_year IS NULL AND b.end_year IS NULL AND x <> h
  RETURN x
}
CALL (x, h) {
  MATCH (x)-[:COAUTHORED_WITH]-(c:HCP)
  WHERE c <> h AND any(d IN coalesce(c.touch_dates, []) WHERE $request.since <= d <= $request.as_of)
  RETURN c.hcp_id AS via
  UNION
  MATCH (x)-[a:AFFILIATED_WITH]->(:Institution)<-[b:AFFILIATED_WITH]-(c:HCP)
  WHERE a.end_year IS NULL AND b.end_year IS NULL AND c <> x AND c <> h
    AND any(d IN coalesce(c.touch_dates, []) WHERE $request.since <= d <= $request.as_of)
  RETURN c.hcp_id AS via
}
WITH hcp_id, min(via) AS via
RETURN collect([hcp_id, via]) AS rows
