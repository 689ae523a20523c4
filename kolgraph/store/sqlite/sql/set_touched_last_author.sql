-- last_author of the publications in temp.touched, writing only rows that change
UPDATE authorships SET last_author = (authorships.position = m.top)
FROM (SELECT pmid, MAX(position) AS top FROM authorships WHERE pmid IN temp.touched GROUP BY pmid) AS m
WHERE authorships.pmid = m.pmid AND authorships.last_author IS NOT (authorships.position = m.top)
