// purpose: load Publication nodes into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
CREATE (n:Publication)
SET n = row
