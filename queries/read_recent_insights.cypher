// purpose: the newest touchpoints with insight text (through a date, of a territory)
// params: territory, through, limit
MATCH (t:Touchpoint)
WHERE t.date IS NOT NULL AND t.insight IS NOT NULL AND trim(t.insight) <> ''
  AND ($through IS NULL OR t.date <= $through)
  AND ($territory IS NULL OR EXISTS { (t)-[:WITH]->(:HCP {territory: $territory}) })
WITH t
ORDER BY t.date DESC, t.touchpoint_id DESC
LIMIT $limit
OPTIONAL MATCH (t)-[:WITH]->(h:HCP)
OPTIONAL MATCH (m:MSL)-[:LOGGED]->(t)
RETURN t.date AS date, t.touchpoint_id AS touchpoint_id, h.hcp_id AS hcp_id, h.name AS hcp_name,
       h.tier AS tier, h.territory AS territory, m.msl_id AS msl_id, m.name AS msl_name,
       t.insight_category AS insight_category, t.sentiment AS sentiment, t.topic AS topic,
       t.insight AS insight
ORDER BY date DESC, touchpoint_id DESC
