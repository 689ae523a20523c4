// purpose: link-prediction facts around one HCP: co-authors and institutions
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
