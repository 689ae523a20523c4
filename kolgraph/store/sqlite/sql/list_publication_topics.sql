-- every publication's MeSH terms
SELECT pmid, mesh_terms FROM publications WHERE mesh_terms <> '[]'
