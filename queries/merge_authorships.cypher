// purpose: upsert AUTHORED by both keys; a null value removes the property
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Publication {pmid: row.pmid})
MERGE (a)-[r:AUTHORED]->(b)
SET r.position = row.position
