-- the co-authorships of the given [hcp_a, hcp_b] pairs
SELECT hcp_a, hcp_b, papers, first_year, last_year FROM coauthorships
WHERE (hcp_a, hcp_b) IN (SELECT value ->> 0, value ->> 1 FROM json_each(:pairs))
