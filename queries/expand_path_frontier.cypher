// purpose: neighbours in the path graph of the given HCPs (co-authors, current institutions) and institutions (current members); current = AFFILIATED_WITH.end_year null; one map per node given, in one record
// params: hcp_ids, institution_ids
CALL () {
  UNWIND $hcp_ids AS hcp_id
  MATCH (h:HCP {hcp_id: hcp_id})
  RETURN {id: hcp_id, kind: 'hcp',
          hcps: COLLECT { MATCH (h)-[:COAUTHORED_WITH]-(c:HCP) RETURN c.hcp_id },
          institutions: COLLECT {
            MATCH (h)-[a:AFFILIATED_WITH]->(i:Institution)
            WHERE a.end_year IS NULL
            RETURN i.institution_id
          }} AS row
  UNION ALL
  UNWIND $institution_ids AS institution_id
  MATCH (i:Institution {institution_id: institution_id})
  RETURN {id: institution_id, kind: 'institution',
          hcps: COLLECT {
            MATCH (i)<-[a:AFFILIATED_WITH]-(h:HCP)
            WHERE a.end_year IS NULL
            RETURN h.hcp_id
          },
          institutions: []} AS row
}
RETURN collect(row) AS rows
