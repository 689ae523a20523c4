-- the HCPs with a touchpoint dated from since through as_of (a range of touchpoints_by_date)
SELECT DISTINCT hcp_id FROM touchpoints WHERE date >= :since AND date <= :as_of
