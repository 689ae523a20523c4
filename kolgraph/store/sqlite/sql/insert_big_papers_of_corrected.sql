-- insert_big_papers among the papers of the HCPs in temp.corrected: every paper a correction's recount reads
INSERT INTO temp.big_papers (pmid)
SELECT pmid FROM authorships
WHERE pmid IN (SELECT x.pmid FROM authorships AS x WHERE x.hcp_id IN (SELECT hcp_id FROM temp.corrected))
GROUP BY pmid HAVING COUNT(*) > :max_authors
