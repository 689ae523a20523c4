-- co-authorships with at least min_papers touching any of the given HCPs
SELECT hcp_a, hcp_b, papers FROM coauthorships
WHERE papers >= :min_papers
  AND (hcp_a IN (SELECT value FROM json_each(:hcp_ids)) OR hcp_b IN (SELECT value FROM json_each(:hcp_ids)))
