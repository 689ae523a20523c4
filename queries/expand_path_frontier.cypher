// purpose: neighbours of a path search's frontier, and those touched in a window
// params: frontier, window
CALL () {
  UNWIND $frontier.hcp_ids AS hcp_id
  MATCH (h:HCP {hcp_id: hcp_id})
  RETURN [hcp_id, 'hcp',
          COLLECT { MATCH (h)-[:COAUTHORED_WITH]-(c) RETURN c.hcp_id },
          COLLECT {
            MATCH (h)-[a:AFFILIATED_WITH]->(i)
            WHERE a.end_year IS NULL
            RETURN i.institution_id
          }] AS row
  UNION ALL
  UNWIND $frontier.institution_ids AS institution_id
  MATCH (i:Institution {institution_id: institution_id})
  RETURN [institution_id, 'institution',
          COLLECT {
            MATCH (i)<-[a:AFFILIATED_WITH]-(h)
            WHERE a.end_year IS NULL
            RETURN h.hcp_id
          },
          []] AS row
}
WITH collect(row) AS rows
CALL (rows) {
  WITH rows WHERE $window.since IS NOT NULL
  UNWIND rows AS row
  UNWIND row[2] AS hcp_id
  WITH DISTINCT hcp_id
  MATCH (h:HCP {hcp_id: hcp_id})<-[:WITH]-(t)
  WHERE $window.since <= t.date <= $window.as_of
    AND ($window.territory IS NULL OR h.territory = $window.territory)
  WITH hcp_id, max(t.date) AS last_touch
  RETURN collect([hcp_id, last_touch]) AS engaged
}
RETURN rows, engaged
