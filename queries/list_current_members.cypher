// purpose: every institution's current member ids (end_year null), for the reach index
// params:
MATCH (h:HCP)-[r:AFFILIATED_WITH]->(i:Institution)
WHERE r.end_year IS NULL
RETURN i.institution_id AS institution_id, collect(h.hcp_id) AS members
