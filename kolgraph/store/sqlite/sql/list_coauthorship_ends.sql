-- every co-authorship's two HCPs and the papers they share
SELECT hcp_a, hcp_b, papers FROM coauthorships
