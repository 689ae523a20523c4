-- the publications with more authors than the co-author cap (hyperauthored): they make no co-author pair
INSERT INTO temp.big_papers (pmid)
SELECT pmid FROM authorships GROUP BY pmid HAVING COUNT(*) > :max_authors
