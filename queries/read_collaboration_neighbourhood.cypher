// purpose: link-prediction facts around one HCP: each co-author as [hcp_id, name, their own co-author ids], each current institution (end_year null) as [institution_id, name, its current member ids]; no record when the HCP does not exist. Lists, not maps, and no label checks on the far ends (COAUTHORED_WITH joins HCPs, AFFILIATED_WITH an HCP to an Institution): a hub's second degree is ~30,000 ids.
// params: hcp_id
MATCH (h:HCP {hcp_id: $hcp_id})
RETURN COLLECT {
  MATCH (h)-[:COAUTHORED_WITH]-(c)
  RETURN [c.hcp_id, c.name, COLLECT { MATCH (c)-[:COAUTHORED_WITH]-(x) RETURN x.hcp_id }]
} AS coauthors,
COLLECT {
  MATCH (h)-[a:AFFILIATED_WITH]->(i)
  WHERE a.end_year IS NULL
  RETURN [i.institution_id, i.name,
          COLLECT {
            MATCH (i)<-[b:AFFILIATED_WITH]-(m)
            WHERE b.end_year IS NULL
            RETURN m.hcp_id
          }]
} AS institutions
