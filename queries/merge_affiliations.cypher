// purpose: upsert AFFILIATED_WITH by both keys; a null value removes the property
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Institution {institution_id: row.institution_id})
MERGE (a)-[r:AFFILIATED_WITH]->(b)
SET r.role = row.role,
    r.start_year = row.start_year,
    r.end_year = row.end_year
