// purpose: the co-authorships of $hcp_id, and those of $others with its co-authors
// params: hcp_id, others
OPTIONAL MATCH (:HCP {hcp_id: $hcp_id})-[r:COAUTHORED_WITH]-(coauthor:HCP)
WITH collect(coauthor) AS own,
     collect(CASE WHEN r IS NOT NULL THEN [$hcp_id, coauthor.hcp_id, r.papers] END) AS mine
CALL (own) {
  UNWIND $others AS other_id
  MATCH (other:HCP {hcp_id: other_id})-[r:COAUTHORED_WITH]-(coauthor:HCP)
  WHERE coauthor IN own
  RETURN collect([other_id, coauthor.hcp_id, r.papers]) AS theirs
}
RETURN mine + theirs AS rows
