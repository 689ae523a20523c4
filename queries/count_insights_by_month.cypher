// purpose: insights counted by category, sentiment, HCP territory and tier, and month
// params: territory, since, through
MATCH (t:Touchpoint)
WHERE trim(coalesce(t.insight, '')) <> ''
  AND ($since IS NULL OR t.date >= $since) AND ($through IS NULL OR t.date <= $through)
OPTIONAL MATCH (t)-[:WITH]->(h:HCP)
WITH t, h
WHERE $territory IS NULL OR h.territory = $territory
RETURN t.insight_category AS insight_category, t.sentiment AS sentiment,
       h.territory AS territory, h.tier AS tier, left(t.date, 7) AS month, count(*) AS insights
