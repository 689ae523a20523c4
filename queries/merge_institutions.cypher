// purpose: upsert Institution nodes by institution_id; a null value removes the property, properties not listed (scores) are kept
// params: rows
UNWIND $rows AS row
MERGE (n:Institution {institution_id: row.institution_id})
SET n.name = row.name,
    n.type = row.type,
    n.city = row.city,
    n.state = row.state,
    n.country = row.country
