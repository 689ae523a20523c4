-- each MSL's HCPs with a touchpoint it logged dated from since through as_of
SELECT DISTINCT msl_id, hcp_id FROM touchpoints
WHERE date >= :since AND date <= :as_of AND msl_id IS NOT NULL
