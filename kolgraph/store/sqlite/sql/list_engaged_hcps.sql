-- the HCPs with a touchpoint dated from since through as_of
SELECT DISTINCT hcp_id FROM touchpoints WHERE date >= :since AND date <= :as_of
