-- the best-ranked scored HCPs (of a territory when given)
SELECT h.hcp_id, h.name, s.rank, s.influence, s.tier, s.components_json
FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
WHERE :territory IS NULL OR h.territory = :territory
ORDER BY s.rank, s.hcp_id LIMIT :limit
