// purpose: scored HCPs (optionally of one territory) by rank, at most $limit
// params: territory, limit
MATCH (h:HCP)
WHERE h.rank IS NOT NULL AND ($territory IS NULL OR h.territory = $territory)
RETURN h.hcp_id AS hcp_id, h.name AS name, h.rank AS rank, h.influence AS influence,
       h.tier AS tier, h.components_json AS components_json
ORDER BY h.rank, h.hcp_id
LIMIT $limit
