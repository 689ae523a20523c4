-- every HCP's distinct MeSH terms over its publications (hcp_topics empty)
INSERT INTO hcp_topics (hcp_id, term)
SELECT DISTINCT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
