-- the pairs whose numbers a load can change: those sharing a touched publication within the cap (loads never delete authorships); CROSS JOIN: from the touched papers, not a scan of every authorship
INSERT OR IGNORE INTO temp.touched_pairs (hcp_a, hcp_b)
SELECT a.hcp_id, b.hcp_id
FROM temp.touched AS t
CROSS JOIN authorships AS a ON a.pmid = t.pmid
CROSS JOIN authorships AS b ON b.pmid = a.pmid AND b.hcp_id > a.hcp_id
WHERE t.pmid NOT IN temp.big_papers
