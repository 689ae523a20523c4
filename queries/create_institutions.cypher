// purpose: load Institution nodes into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
CREATE (n:Institution)
SET n = row
