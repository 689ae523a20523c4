// purpose: link-prediction facts around one HCP: each co-author with their own co-author ids, each current institution (end_year null) with its current member ids; no record when the HCP does not exist
// params: hcp_id
MATCH (h:HCP {hcp_id: $hcp_id})
RETURN COLLECT {
  MATCH (h)-[:COAUTHORED_WITH]-(c:HCP)
  RETURN {hcp_id: c.hcp_id, name: c.name,
          coauthors: COLLECT { MATCH (c)-[:COAUTHORED_WITH]-(x:HCP) RETURN x.hcp_id }}
} AS coauthors,
COLLECT {
  MATCH (h)-[a:AFFILIATED_WITH]->(i:Institution)
  WHERE a.end_year IS NULL
  RETURN {institution_id: i.institution_id, name: i.name,
          members: COLLECT {
            MATCH (i)<-[b:AFFILIATED_WITH]-(m:HCP)
            WHERE b.end_year IS NULL
            RETURN m.hcp_id
          }}
} AS institutions
