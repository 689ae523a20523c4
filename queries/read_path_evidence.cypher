// purpose: what a path's hops show: names of the given HCPs and institutions, and papers and years of the given co-author pairs ([smaller hcp_id, larger hcp_id])
// params: hcp_ids, institution_ids, pairs
RETURN COLLECT {
  MATCH (h:HCP) WHERE h.hcp_id IN $hcp_ids
  RETURN [h.hcp_id, h.name]
} AS hcps,
COLLECT {
  MATCH (i:Institution) WHERE i.institution_id IN $institution_ids
  RETURN [i.institution_id, i.name]
} AS institutions,
COLLECT {
  UNWIND $pairs AS pair
  MATCH (a:HCP {hcp_id: pair[0]})-[r:COAUTHORED_WITH]->(b:HCP {hcp_id: pair[1]})
  RETURN [a.hcp_id, b.hcp_id, r.papers, r.first_year, r.last_year]
} AS pairs
