-- recount every co-author pair of the HCPs in temp.corrected over publications within the cap (a pair of two of them once)
INSERT INTO coauthorships (hcp_a, hcp_b, papers, first_year, last_year)
SELECT MIN(a.hcp_id, b.hcp_id), MAX(a.hcp_id, b.hcp_id), COUNT(*), MIN(p.year), MAX(p.year)
FROM authorships AS a
JOIN authorships AS b ON b.pmid = a.pmid AND b.hcp_id <> a.hcp_id
JOIN publications AS p ON p.pmid = a.pmid
WHERE a.hcp_id IN (SELECT hcp_id FROM temp.corrected)
  AND NOT (b.hcp_id IN (SELECT hcp_id FROM temp.corrected) AND b.hcp_id < a.hcp_id)
  AND a.pmid NOT IN temp.big_papers
GROUP BY MIN(a.hcp_id, b.hcp_id), MAX(a.hcp_id, b.hcp_id)
