// purpose: whether an institution exists, and the HCPs currently affiliated with it (end_year blank)
// params: institution_id
OPTIONAL MATCH (i:Institution {institution_id: $institution_id})
RETURN i IS NOT NULL AS found,
       COLLECT {
         MATCH (h:HCP)-[r:AFFILIATED_WITH]->(:Institution {institution_id: $institution_id})
         WHERE r.end_year IS NULL
         RETURN h.hcp_id
       } AS hcp_ids
