-- every co-authorship's two HCPs
SELECT hcp_a, hcp_b FROM coauthorships
