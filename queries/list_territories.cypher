// purpose: every territory named by an HCP, an MSL or a territory rule, sorted
// params:
CALL () {
  MATCH (h:HCP) WHERE h.territory IS NOT NULL RETURN DISTINCT h.territory AS territory
  UNION
  MATCH (m:MSL) WHERE m.territory IS NOT NULL RETURN DISTINCT m.territory AS territory
  UNION
  MATCH (r:TerritoryRule) RETURN DISTINCT r.territory AS territory
}
RETURN territory
ORDER BY territory
