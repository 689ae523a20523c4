// purpose: scored HCPs with rank <= max_rank and tier <= max_tier (the planner seeks the rank index), in territory when given, that may be coverage gaps: no touch from engaged_since to as_of, or a territory not in covered (every selected HCP when engaged_since is null); with the last touch up to as_of and the touches after year_ago; one record. WITH always comes from a Touchpoint, so t's label is not checked.
// params: max_rank, max_tier, territory, as_of, year_ago, engaged_since, covered
MATCH (h:HCP)
WHERE h.rank <= $max_rank AND h.tier <= $max_tier
  AND ($territory IS NULL OR h.territory = $territory)
  AND ($engaged_since IS NULL OR h.territory IS NULL OR NOT h.territory IN $covered
       OR NOT EXISTS { (h)<-[:WITH]-(t) WHERE $engaged_since <= t.date <= $as_of })
CALL (h) {
  OPTIONAL MATCH (h)<-[:WITH]-(t)
    WHERE t.date <= $as_of
  RETURN max(t.date) AS last_touch,
         count(CASE WHEN t.date > $year_ago THEN 1 END) AS touches_12m
}
RETURN collect({
  hcp_id: h.hcp_id, name: h.name, territory: h.territory, specialty: h.specialty,
  tier: h.tier, influence: h.influence, rank: h.rank,
  last_touch: last_touch, touches_12m: touches_12m
}) AS rows
