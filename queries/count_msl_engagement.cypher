// purpose: per MSL, the HCPs of its own territory of tier max_tier or better it touched from engaged_since to as_of
// params: max_tier, territory, engaged_since, as_of
MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h:HCP)
WHERE ($territory IS NULL OR m.territory = $territory)
  AND t.date >= $engaged_since AND t.date <= $as_of
  AND h.tier <= $max_tier AND h.territory = m.territory
RETURN m.msl_id AS msl_id, count(DISTINCT h) AS engaged
