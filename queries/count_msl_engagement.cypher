// purpose: per MSL, the top-tier HCPs of its territory it touched in the window
// params: max_tier, territory, engaged_since, as_of
MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h:HCP)
WHERE ($territory IS NULL OR m.territory = $territory)
  AND t.date >= $engaged_since AND t.date <= $as_of
  AND h.tier <= $max_tier AND h.territory = m.territory
RETURN m.msl_id AS msl_id, count(DISTINCT h) AS engaged
