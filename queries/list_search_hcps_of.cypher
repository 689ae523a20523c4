// purpose: list_search_hcps for the given HCPs only (a search index mended after a correction)
// params: hcp_ids
MATCH (h:HCP)
WHERE h.hcp_id IN $hcp_ids
WITH h ORDER BY h.hcp_id
RETURN collect([h.hcp_id, h.name, h.specialty, h.territory, h.tier, h.influence, h.rank]) AS rows
