-- of a touched publication above the cap (once within it, maybe), the pairs stored among its authors; CROSS JOIN: each author's stored pairs, never n^2 author pairs
INSERT OR IGNORE INTO temp.touched_pairs (hcp_a, hcp_b)
SELECT c.hcp_a, c.hcp_b
FROM temp.touched AS t
CROSS JOIN authorships AS a ON a.pmid = t.pmid
CROSS JOIN coauthorships AS c ON c.hcp_a = a.hcp_id
CROSS JOIN authorships AS b ON b.pmid = t.pmid AND b.hcp_id = c.hcp_b
WHERE t.pmid IN temp.big_papers
