-- one HCP's publications with its authorship
SELECT p.pmid, p.title, p.journal, p.year, p.citation_count, a.position, a.last_author,
       p.mesh_terms
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid
WHERE a.hcp_id = :hcp_id
