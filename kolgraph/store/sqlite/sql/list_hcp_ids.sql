-- every HCP's id
SELECT hcp_id FROM hcps
