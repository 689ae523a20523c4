// purpose: after a correction: its HCPs that have links, their co-authorships and memberships
// params: hcp_ids
CALL () {
  MATCH (h:HCP)
  WHERE h.hcp_id IN $hcp_ids
    AND (EXISTS { (h)-[:COAUTHORED_WITH]-(:HCP) }
      OR EXISTS { MATCH (h)-[r:AFFILIATED_WITH]->(:Institution) WHERE r.end_year IS NULL })
  RETURN collect(h.hcp_id) AS present
}
CALL () {
  MATCH (h:HCP)-[c:COAUTHORED_WITH]-(:HCP)
  WHERE h.hcp_id IN $hcp_ids
  WITH DISTINCT c
  RETURN collect([startNode(c).hcp_id, endNode(c).hcp_id, c.papers]) AS coauthorships
}
CALL () {
  MATCH (h:HCP)-[r:AFFILIATED_WITH]->(i:Institution)
  WHERE h.hcp_id IN $hcp_ids AND r.end_year IS NULL
  RETURN collect([h.hcp_id, i.institution_id]) AS memberships
}
RETURN present, coauthorships, memberships
