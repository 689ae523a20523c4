-- the MeSH terms of the HCPs in temp.recounted, over all their publications
INSERT INTO hcp_topics (hcp_id, term)
SELECT DISTINCT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
WHERE a.hcp_id IN (SELECT hcp_id FROM temp.recounted)
