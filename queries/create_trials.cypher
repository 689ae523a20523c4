// purpose: load Trial nodes into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
CREATE (n:Trial)
SET n = row
