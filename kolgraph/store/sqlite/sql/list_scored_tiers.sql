-- every tier some HCP's score has, in order
SELECT DISTINCT tier FROM hcp_scores WHERE tier IS NOT NULL ORDER BY tier
