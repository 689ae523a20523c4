-- of a touched publication above the cap (it may have been within it before), the pairs already stored among its authors: never its n^2 pairs
INSERT OR IGNORE INTO temp.touched_pairs (hcp_a, hcp_b)
SELECT c.hcp_a, c.hcp_b
FROM temp.touched AS t
JOIN authorships AS a ON a.pmid = t.pmid
JOIN coauthorships AS c ON c.hcp_a = a.hcp_id
JOIN authorships AS b ON b.pmid = t.pmid AND b.hcp_id = c.hcp_b
WHERE t.pmid IN temp.big_papers
