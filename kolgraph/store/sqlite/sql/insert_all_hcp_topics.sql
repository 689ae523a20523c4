-- every HCP's distinct MeSH terms over its publications (hcp_topics empty); the scan runs
-- in hcp_id order, so the key's b-tree grows at its end and drops repeats without the
-- in-memory b-tree a DISTINCT would build (WHERE true: the upsert needs it after a join)
INSERT INTO hcp_topics (hcp_id, term)
SELECT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
WHERE true
ON CONFLICT DO NOTHING
