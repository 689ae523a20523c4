// purpose: load (:HCP)-[:INVESTIGATOR_ON]->(:Trial) into a store holding none: create each (faster than MERGE; the batch's key pairs are unique), a null role left out
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Trial {nct_id: row.nct_id})
CREATE (a)-[:INVESTIGATOR_ON {role: row.role}]->(b)
