// purpose: whether an institution exists, and its current members
// params: institution_id
OPTIONAL MATCH (i:Institution {institution_id: $institution_id})
RETURN i IS NOT NULL AS found,
       COLLECT {
         MATCH (h:HCP)-[r:AFFILIATED_WITH]->(:Institution {institution_id: $institution_id})
         WHERE r.end_year IS NULL
         RETURN h.hcp_id
       } AS hcp_ids
