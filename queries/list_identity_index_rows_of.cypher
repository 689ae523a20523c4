// purpose: list_identity_index_rows for the given HCPs only (an index mended after a correction)
// params: hcp_ids
MATCH (h:HCP)
WHERE h.hcp_id IN $hcp_ids
WITH h ORDER BY h.hcp_id
RETURN collect([h.hcp_id, h.first_name, h.last_name, h.city, h.npi, h.orcid, h.name,
  h.influence]) AS rows
