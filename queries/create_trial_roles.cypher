// purpose: load INVESTIGATOR_ON into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Trial {nct_id: row.nct_id})
CREATE (a)-[:INVESTIGATOR_ON {role: row.role}]->(b)
