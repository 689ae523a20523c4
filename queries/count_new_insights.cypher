// purpose: touchpoints with insight text dated after $after through $through, by category
// params: after, through, territory
MATCH (t:Touchpoint)-[:WITH]->(h:HCP)
WHERE $after < t.date <= $through AND trim(coalesce(t.insight, '')) <> ''
  AND ($territory IS NULL OR h.territory = $territory)
RETURN t.insight_category AS category, count(*) AS touchpoints
