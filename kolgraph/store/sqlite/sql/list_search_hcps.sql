-- what search matches an HCP on, with its score
SELECT h.hcp_id, h.name, h.specialty, h.territory, s.tier, s.influence, s.rank
FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id ORDER BY h.hcp_id
