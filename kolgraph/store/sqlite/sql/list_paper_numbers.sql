-- every publication's year and citations, by pmid (scoring's numbers)
SELECT pmid, year, citation_count FROM publications ORDER BY pmid
