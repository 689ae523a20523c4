-- the MeSH terms (JSON lists) of the given HCPs' publications
SELECT a.hcp_id, p.mesh_terms
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid
WHERE a.hcp_id IN (SELECT value FROM json_each(:hcp_ids)) AND p.mesh_terms <> '[]'
