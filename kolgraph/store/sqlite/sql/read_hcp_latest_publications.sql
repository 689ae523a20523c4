-- one HCP's :latest latest publications (year, then pmid) with its authorship: the years come from publications_by_pmid_year, and only those papers' rows are read
WITH latest AS (
    SELECT a.pmid, a.position, a.last_author
    FROM authorships AS a JOIN publications AS y INDEXED BY publications_by_pmid_year
        ON y.pmid = a.pmid
    WHERE a.hcp_id = :hcp_id
    ORDER BY coalesce(y.year, 0) DESC, a.pmid
    LIMIT :latest
)
SELECT p.pmid, p.title, p.journal, p.year, p.citation_count, l.position, l.last_author,
       p.mesh_terms
FROM latest AS l JOIN publications AS p ON p.pmid = l.pmid
