// purpose: scored HCPs within max_rank and max_tier, every MSL, the schema version
// params: max_rank, max_tier, territory, as_of, year_ago, engaged_since
CALL () {
  MATCH (m:MSL)
  RETURN collect([m.msl_id, m.territory]) AS msls, collect(DISTINCT m.territory) AS covered
}
RETURN msls, COLLECT { MATCH (s:KolgraphSchema {name: 'kolgraph'}) RETURN s.version }[0] AS schema_version, COLLECT {
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
