-- every scored HCP's influence
SELECT hcp_id, influence FROM hcp_scores WHERE influence IS NOT NULL
