// purpose: id, date, HCP and text of the insights a report's filters keep, in one record
// params: territory, since, through, tier, category
MATCH (t:Touchpoint)-[:WITH]->(h:HCP)
WHERE trim(coalesce(t.insight, '')) <> ''
  AND ($since IS NULL OR t.date >= $since) AND ($through IS NULL OR t.date <= $through)
  AND ($territory IS NULL OR h.territory = $territory)
  AND ($tier IS NULL OR h.tier = $tier)
  AND ($category IS NULL OR t.insight_category = $category)
RETURN collect([t.touchpoint_id, t.date, h.hcp_id, t.insight]) AS rows
