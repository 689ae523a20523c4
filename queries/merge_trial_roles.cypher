// purpose: upsert INVESTIGATOR_ON by both keys; a null value removes the property
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Trial {nct_id: row.nct_id})
MERGE (a)-[r:INVESTIGATOR_ON]->(b)
SET r.role = row.role
