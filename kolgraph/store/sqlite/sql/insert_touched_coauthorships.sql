-- recount the pairs of temp.touched_pairs over every authorship of publications within the cap
INSERT INTO coauthorships (hcp_a, hcp_b, papers, first_year, last_year)
SELECT x.hcp_a, x.hcp_b, COUNT(*), MIN(p.year), MAX(p.year)
FROM temp.touched_pairs AS x
JOIN authorships AS a ON a.hcp_id = x.hcp_a
JOIN authorships AS b ON b.hcp_id = x.hcp_b AND b.pmid = a.pmid
JOIN publications AS p ON p.pmid = a.pmid
WHERE a.pmid NOT IN temp.big_papers
GROUP BY x.hcp_a, x.hcp_b
