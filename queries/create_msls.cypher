// purpose: load MSL nodes into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
CREATE (n:MSL)
SET n = row
