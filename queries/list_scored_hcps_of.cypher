// purpose: list_scored_hcps for the given HCPs only (a gaps snapshot mended after a correction)
// params: hcp_ids
MATCH (h:HCP)
WHERE h.hcp_id IN $hcp_ids AND h.influence IS NOT NULL
WITH h ORDER BY h.influence DESC, h.rank, h.hcp_id
RETURN collect([h.hcp_id, h.name, h.territory, h.specialty, h.tier, h.influence, h.rank]) AS rows
