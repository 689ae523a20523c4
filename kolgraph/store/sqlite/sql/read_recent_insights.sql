-- the newest touchpoints with insight text (dated through :through, of a territory's HCPs when given), with their HCP, score and MSL
SELECT t.date, t.touchpoint_id, t.hcp_id, h.name AS hcp_name, s.tier, h.territory, t.msl_id,
       m.name AS msl_name, t.insight_category, t.sentiment, t.topic, t.insight
FROM (SELECT * FROM touchpoints
      WHERE date IS NOT NULL AND insight IS NOT NULL AND trim(insight) <> ''
        AND (:through IS NULL OR date <= :through)
        AND (:territory IS NULL OR hcp_id IN (SELECT hcp_id FROM hcps WHERE territory = :territory))
      ORDER BY date DESC, touchpoint_id DESC LIMIT :limit) AS t
LEFT JOIN hcps AS h ON h.hcp_id = t.hcp_id
LEFT JOIN hcp_scores AS s ON s.hcp_id = t.hcp_id
LEFT JOIN msls AS m ON m.msl_id = t.msl_id
ORDER BY t.date DESC, t.touchpoint_id DESC
