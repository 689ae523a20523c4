// purpose: load Trial nodes into a store holding none: create each with its non-null properties (faster than MERGE; the batch's nct_id values are unique)
// params: rows
UNWIND $rows AS row
CREATE (n:Trial)
SET n = row
