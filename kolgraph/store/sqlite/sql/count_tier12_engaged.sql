-- per territory (NULL: none): HCPs of tier max_tier or higher, and those of them touched from since through until
SELECT h.territory, COUNT(*),
       SUM(EXISTS (SELECT 1 FROM touchpoints AS t
                   WHERE t.hcp_id = s.hcp_id AND t.date >= :since AND t.date <= :until))
FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
WHERE s.tier <= :max_tier
GROUP BY h.territory
