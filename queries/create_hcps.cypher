// purpose: load HCP nodes into a store holding none: create each with its non-null properties (faster than MERGE; the batch's hcp_id values are unique)
// params: rows
UNWIND $rows AS row
CREATE (n:HCP)
SET n = row
