// purpose: one HCP's co-authors with joint publication count and latest joint year
// params: hcp_id
MATCH (h:HCP {hcp_id: $hcp_id})
RETURN COLLECT {
  MATCH (h)-[r:COAUTHORED_WITH]-(c)
  RETURN {hcp_id: c.hcp_id, name: c.name, joint_publications: r.papers, last_year: r.last_year}
} AS coauthors
