// purpose: load HCP nodes into a store holding none (CREATE, not MERGE)
// params: rows
UNWIND $rows AS row
CREATE (n:HCP)
SET n = row
