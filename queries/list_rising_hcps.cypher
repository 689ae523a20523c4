// purpose: rising stars (optionally of one territory), fastest growth first, at most $limit
// params: territory, limit
MATCH (h:HCP)
WHERE h.rising = true AND ($territory IS NULL OR h.territory = $territory)
RETURN h.hcp_id AS hcp_id, h.name AS name, h.rank AS rank, h.influence AS influence,
       h.tier AS tier, h.rising_score AS rising_score, h.components_json AS components_json
ORDER BY h.rising_score DESC, h.rank, h.hcp_id
LIMIT $limit
