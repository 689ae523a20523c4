// purpose: every MSL as [msl_id, territory], and the scored HCPs with tier <= max_tier (used without a rank bound, so the planner seeks the tier index), in territory when given, that may be coverage gaps: no touch from engaged_since to as_of, or a territory no MSL covers (every selected HCP when engaged_since is null), as [hcp_id, name, territory, specialty, tier, influence, rank, last touch up to as_of, touches after year_ago]; one record. Lists, not maps: the server builds and the driver decodes them faster. WITH always comes from a Touchpoint, so t's label is not checked.
// params: max_tier, territory, as_of, year_ago, engaged_since
CALL () {
  MATCH (m:MSL)
  RETURN collect([m.msl_id, m.territory]) AS msls, collect(DISTINCT m.territory) AS covered
}
RETURN msls, COLLECT {
  MATCH (h:HCP)
  WHERE h.tier <= $max_tier
    AND ($territory IS NULL OR h.territory = $territory)
    AND ($engaged_since IS NULL OR h.territory IS NULL OR NOT h.territory IN covered
         OR NOT EXISTS { (h)<-[:WITH]-(t) WHERE $engaged_since <= t.date <= $as_of })
  CALL (h) {
    OPTIONAL MATCH (h)<-[:WITH]-(t)
      WHERE t.date <= $as_of
    RETURN max(t.date) AS last_touch,
           count(CASE WHEN t.date > $year_ago THEN 1 END) AS touches_12m
  }
  RETURN [h.hcp_id, h.name, h.territory, h.specialty, h.tier, h.influence, h.rank,
          last_touch, touches_12m]
} AS rows
