// purpose: upsert Publication nodes by pmid; a null value removes the property
// params: rows
UNWIND $rows AS row
MERGE (n:Publication {pmid: row.pmid})
SET n.title = row.title,
    n.journal = row.journal,
    n.year = row.year,
    n.mesh_terms = row.mesh_terms,
    n.citation_count = row.citation_count
