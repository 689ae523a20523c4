// purpose: every HCP's place and territory sources (collected: one record)
// params:
MATCH (h:HCP)
RETURN collect({
  hcp_id: h.hcp_id, country: h.country, state: h.state, postal_code: h.postal_code,
  territory: h.territory, territory_aligned: h.territory_aligned,
  source_territory: h.source_territory
}) AS rows
