-- co-authorships with at least min_papers between two of the given HCPs; the unary + keeps SQLite from probing the key per pair of ids
SELECT hcp_a, hcp_b, papers FROM coauthorships
WHERE papers >= :min_papers
  AND hcp_a IN (SELECT value FROM json_each(:hcp_ids)) AND +hcp_b IN (SELECT value FROM json_each(:hcp_ids))
