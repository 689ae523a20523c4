-- every touchpoint's HCP and date
SELECT hcp_id, date FROM touchpoints
