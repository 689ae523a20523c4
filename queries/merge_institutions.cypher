// purpose: upsert Institution nodes by institution_id; a null removes the property
// params: rows
UNWIND $rows AS row
MERGE (n:Institution {institution_id: row.institution_id})
SET n.name = row.name,
    n.type = row.type,
    n.city = row.city,
    n.state = row.state,
    n.country = row.country
