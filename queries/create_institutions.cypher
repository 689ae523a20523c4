// purpose: load Institution nodes into a store holding none: create each with its non-null properties (faster than MERGE; the batch's institution_id values are unique)
// params: rows
UNWIND $rows AS row
CREATE (n:Institution)
SET n = row
