-- the HCP of every touchpoint dated from since through as_of (a range of touchpoints_by_date;
-- repeats are dropped by the caller, cheaper than DISTINCT's temporary b-tree)
SELECT hcp_id FROM touchpoints WHERE date >= :since AND date <= :as_of
