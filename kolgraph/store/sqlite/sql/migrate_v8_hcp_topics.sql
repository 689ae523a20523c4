-- version 8: each HCP's MeSH terms, kept as derived data (the table is created by the DDL)
INSERT OR IGNORE INTO hcp_topics (hcp_id, term)
SELECT DISTINCT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
