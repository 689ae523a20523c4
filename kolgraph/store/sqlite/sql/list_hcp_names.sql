-- every HCP's name
SELECT hcp_id, name FROM hcps
