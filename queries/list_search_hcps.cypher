// purpose: what search matches each HCP on, with its score, by id (a server's search index)
// params:
MATCH (h:HCP)
WITH h ORDER BY h.hcp_id
RETURN collect([h.hcp_id, h.name, h.specialty, h.territory, h.tier, h.influence, h.rank]) AS rows
