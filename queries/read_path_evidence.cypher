// purpose: the names and co-author pair facts a path's hops show; one record
// params: path
RETURN COLLECT {
  UNWIND $path.hcp_ids AS hcp_id
  MATCH (h:HCP {hcp_id: hcp_id})
  RETURN [hcp_id, h.name]
} AS hcps,
COLLECT {
  UNWIND $path.institution_ids AS institution_id
  MATCH (i:Institution {institution_id: institution_id})
  RETURN [institution_id, i.name]
} AS institutions,
COLLECT {
  UNWIND $path.pairs AS pair
  MATCH (a:HCP {hcp_id: pair[0]})-[r:COAUTHORED_WITH]->(b:HCP {hcp_id: pair[1]})
  RETURN [pair[0], pair[1], r.papers, r.first_year, r.last_year]
} AS pairs
