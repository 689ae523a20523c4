-- insert_big_papers among the papers of the authors of temp.touched: every paper a load's recount reads (CROSS JOIN: from the touched papers, not a scan of every authorship)
INSERT INTO temp.big_papers (pmid)
SELECT pmid FROM authorships
WHERE pmid IN (
  SELECT x.pmid FROM authorships AS x
  WHERE x.hcp_id IN (
    SELECT a.hcp_id FROM temp.touched AS t CROSS JOIN authorships AS a ON a.pmid = t.pmid
  )
)
GROUP BY pmid HAVING COUNT(*) > :max_authors
