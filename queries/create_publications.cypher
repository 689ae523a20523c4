// purpose: load Publication nodes into a store holding none: create each with its non-null properties (faster than MERGE; the batch's pmid values are unique)
// params: rows
UNWIND $rows AS row
CREATE (n:Publication)
SET n = row
