-- the given HCPs' last touch within a window (of a territory's HCPs when given)
SELECT t.hcp_id, MAX(t.date)
FROM touchpoints AS t JOIN hcps AS h ON h.hcp_id = t.hcp_id
WHERE t.hcp_id IN (SELECT value FROM json_each(:hcp_ids)) AND t.date >= :since AND t.date <= :as_of
  AND (:territory IS NULL OR h.territory = :territory)
GROUP BY t.hcp_id
