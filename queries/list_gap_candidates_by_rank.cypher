// purpose: every MSL as [msl_id, territory], whether touch_dates is kept (touch_dates_ready; when false the rows may be wrong: backfill and ask again), and the scored HCPs with rank <= max_rank and tier <= max_tier (the planner seeks the rank index), in territory when given, that may be coverage gaps: no touch from engaged_since to as_of, or a territory no MSL covers (every selected HCP when engaged_since is null), as [hcp_id, name, territory, specialty, tier, influence, rank, last touch up to as_of, touches after year_ago]; one record. Touches come from h.touch_dates (sorted dates of the HCP's touchpoints), not from the touchpoints. Lists, not maps: the server builds and the driver decodes them faster.
// params: max_rank, max_tier, territory, as_of, year_ago, engaged_since
CALL () {
  MATCH (m:MSL)
  RETURN collect([m.msl_id, m.territory]) AS msls, collect(DISTINCT m.territory) AS covered
}
RETURN msls, EXISTS { MATCH (:StoreState {name: 'touch_dates'}) } AS touch_dates_ready, COLLECT {
  MATCH (h:HCP)
  WHERE h.rank <= $max_rank AND h.tier <= $max_tier
    AND ($territory IS NULL OR h.territory = $territory)
  WITH h, [d IN coalesce(h.touch_dates, []) WHERE d <= $as_of] AS past
  WITH h, past, past[-1] AS last_touch
  WHERE $engaged_since IS NULL OR h.territory IS NULL OR NOT h.territory IN covered
     OR last_touch IS NULL OR last_touch < $engaged_since
  RETURN [h.hcp_id, h.name, h.territory, h.specialty, h.tier, h.influence, h.rank,
          last_touch, size([d IN past WHERE d > $year_ago])]
} AS rows
