-- selected scored HCPs in gaps order, with last touch and touches in the year to as_of; with engaged_since, only those not engaged since then or with no MSL in their territory
SELECT h.hcp_id, h.name, h.territory, h.specialty, s.tier, s.influence, s.rank,
       (SELECT MAX(t.date) FROM touchpoints AS t
        WHERE t.hcp_id = s.hcp_id AND t.date <= :as_of) AS last_touch,
       (SELECT COUNT(*) FROM touchpoints AS t
        WHERE t.hcp_id = s.hcp_id AND t.date > :year_ago AND t.date <= :as_of) AS touches_12m
FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
WHERE s.rank <= :max_rank AND s.tier <= :max_tier
  AND (:territory IS NULL OR h.territory = :territory)
  AND (:engaged_since IS NULL
       OR h.territory IS NULL
       OR h.territory NOT IN (SELECT territory FROM msls)
       OR NOT EXISTS (SELECT 1 FROM touchpoints AS t
                      WHERE t.hcp_id = s.hcp_id AND t.date >= :engaged_since AND t.date <= :as_of))
ORDER BY s.influence DESC, s.rank, s.hcp_id
