-- per MSL: HCPs of its own territory, of tier max_tier or higher, it touched from since through until
SELECT m.msl_id, COUNT(DISTINCT s.hcp_id)
FROM hcp_scores AS s
CROSS JOIN hcps AS h ON h.hcp_id = s.hcp_id
CROSS JOIN touchpoints AS t ON t.hcp_id = s.hcp_id AND t.date >= :since AND t.date <= :until
CROSS JOIN msls AS m ON m.msl_id = t.msl_id AND m.territory = h.territory
WHERE s.tier <= :max_tier
GROUP BY m.msl_id
