-- the co-authorships (two HCPs, papers) of the given HCPs
SELECT hcp_a, hcp_b, papers FROM coauthorships
WHERE hcp_a IN (SELECT value FROM json_each(:hcp_ids))
UNION
SELECT hcp_a, hcp_b, papers FROM coauthorships
WHERE hcp_b IN (SELECT value FROM json_each(:hcp_ids))
