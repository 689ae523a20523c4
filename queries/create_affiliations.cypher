// purpose: load AFFILIATED_WITH into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Institution {institution_id: row.institution_id})
CREATE (a)-[:AFFILIATED_WITH {role: row.role, start_year: row.start_year, end_year: row.end_year}]->(b)
