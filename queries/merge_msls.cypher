// purpose: upsert MSL nodes by msl_id; a null value removes the property
// params: rows
UNWIND $rows AS row
MERGE (n:MSL {msl_id: row.msl_id})
SET n.name = row.name,
    n.territory = row.territory,
    n.therapeutic_area = row.therapeutic_area,
    n.email = row.email
