// purpose: scored HCPs in gaps answer order, as rows of a server's gaps snapshot
// params:
MATCH (h:HCP)
WHERE h.influence IS NOT NULL
WITH h ORDER BY h.influence DESC, h.rank, h.hcp_id
RETURN collect([h.hcp_id, h.name, h.territory, h.specialty, h.tier, h.influence, h.rank]) AS rows
