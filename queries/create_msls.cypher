// purpose: load MSL nodes into a store holding none: create each with its non-null properties (faster than MERGE; the batch's msl_id values are unique)
// params: rows
UNWIND $rows AS row
CREATE (n:MSL)
SET n = row
