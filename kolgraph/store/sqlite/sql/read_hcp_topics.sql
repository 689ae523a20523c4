-- the distinct MeSH terms of the given HCPs' publications, per HCP
SELECT DISTINCT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
WHERE a.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
