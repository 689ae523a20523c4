// purpose: upsert Trial nodes by nct_id; a null value removes the property
// params: rows
UNWIND $rows AS row
MERGE (n:Trial {nct_id: row.nct_id})
SET n.title = row.title,
    n.phase = row.phase,
    n.status = row.status,
    n.conditions = row.conditions,
    n.start_year = row.start_year
