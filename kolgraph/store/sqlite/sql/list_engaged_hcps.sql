-- the HCPs with a touchpoint dated from since through as_of (logged by msl_id when given)
SELECT DISTINCT hcp_id FROM touchpoints
WHERE date >= :since AND date <= :as_of AND (:msl_id IS NULL OR msl_id = :msl_id)
