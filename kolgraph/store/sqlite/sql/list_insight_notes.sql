-- touchpoint_id, date, hcp_id and insight text of the touchpoints with insight text (dated :since through :through, of a territory's HCPs, of HCPs of one tier, of one category, when given)
SELECT t.touchpoint_id, t.date, t.hcp_id, t.insight
FROM touchpoints AS t
WHERE trim(coalesce(t.insight, '')) <> ''
  AND (:since IS NULL OR t.date >= :since) AND (:through IS NULL OR t.date <= :through)
  AND (:territory IS NULL OR t.hcp_id IN (SELECT hcp_id FROM hcps WHERE territory = :territory))
  AND (:tier IS NULL OR t.hcp_id IN (SELECT hcp_id FROM hcp_scores WHERE tier = :tier))
  AND (:category IS NULL OR t.insight_category = :category)
