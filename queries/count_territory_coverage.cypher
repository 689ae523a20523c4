// purpose: per territory (null: none), its top-tier HCPs and how many any MSL touched
// params: max_tier, territory, engaged_since, as_of
MATCH (h:HCP)
WHERE h.tier <= $max_tier AND ($territory IS NULL OR h.territory = $territory)
WITH h, EXISTS {
  MATCH (h)<-[:WITH]-(t:Touchpoint)
  WHERE t.date >= $engaged_since AND t.date <= $as_of
} AS engaged
RETURN h.territory AS territory, count(h) AS hcps,
       sum(CASE WHEN engaged THEN 1 ELSE 0 END) AS engaged
