// purpose: insights counted by category, sentiment, HCP territory and tier, and month
// params: territory, since, through, tier, category
MATCH (t:Touchpoint)
WHERE trim(coalesce(t.insight, '')) <> ''
  AND ($since IS NULL OR t.date >= $since) AND ($through IS NULL OR t.date <= $through)
  AND ($category IS NULL OR t.insight_category = $category)
OPTIONAL MATCH (t)-[:WITH]->(h:HCP)
WITH t, h
WHERE ($territory IS NULL OR h.territory = $territory) AND ($tier IS NULL OR h.tier = $tier)
WITH t.insight_category AS category, t.sentiment AS sentiment, h.territory AS territory,
     h.tier AS tier, left(t.date, 7) AS month, count(*) AS insights
RETURN collect([category, sentiment, territory, tier, month, insights]) AS rows
