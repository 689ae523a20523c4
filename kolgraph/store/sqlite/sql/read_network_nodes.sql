-- network node facts of the given HCPs, with the last touch up to as_of
SELECT h.hcp_id, h.name, h.specialty, h.territory, s.tier, s.influence,
       (SELECT MAX(t.date) FROM touchpoints AS t
        WHERE t.hcp_id = h.hcp_id AND t.date <= :as_of) AS last_touch
FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id
WHERE h.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
