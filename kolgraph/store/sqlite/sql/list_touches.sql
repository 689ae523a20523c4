-- every touchpoint's HCP, MSL and date
SELECT hcp_id, msl_id, date FROM touchpoints
