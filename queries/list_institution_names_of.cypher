// purpose: list_institution_names for the given HCPs only (a search index mended)
// params: hcp_ids
MATCH (h:HCP)-[:AFFILIATED_WITH]->(i:Institution)
WHERE h.hcp_id IN $hcp_ids
RETURN collect([h.hcp_id, i.name]) AS rows
