-- co-author pairs over every authorship of publications within the cap (a full refresh); CROSS JOIN fixes the order: publications in storage order, then their authors by key
INSERT INTO coauthorships (hcp_a, hcp_b, papers, first_year, last_year)
SELECT a.hcp_id, b.hcp_id, COUNT(*), MIN(p.year), MAX(p.year)
FROM publications AS p
CROSS JOIN authorships AS a ON a.pmid = p.pmid
CROSS JOIN authorships AS b ON b.pmid = a.pmid AND b.hcp_id > a.hcp_id
WHERE p.pmid NOT IN temp.big_papers
GROUP BY a.hcp_id, b.hcp_id
