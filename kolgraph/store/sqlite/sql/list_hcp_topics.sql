-- each HCP's MeSH terms over its publications, one row per distinct pair
SELECT DISTINCT t.value, a.hcp_id
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
