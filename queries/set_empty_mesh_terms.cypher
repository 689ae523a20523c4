// purpose: store mesh_terms as [] on the given publications (the import tool cannot)
// params: keys
UNWIND $keys AS pmid
MATCH (p:Publication {pmid: pmid})
SET p.mesh_terms = []
