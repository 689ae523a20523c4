-- touchpoints with insight text dated after :after through :through, by category (of a territory's HCPs when given)
SELECT t.insight_category, COUNT(*)
FROM touchpoints AS t LEFT JOIN hcps AS h ON h.hcp_id = t.hcp_id
WHERE t.date > :after AND t.date <= :through AND trim(coalesce(t.insight, '')) <> ''
  AND (:territory IS NULL OR h.territory = :territory)
GROUP BY t.insight_category
