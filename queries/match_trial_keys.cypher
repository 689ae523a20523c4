// purpose: which of the given Trial keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:Trial {nct_id: key})
RETURN n.nct_id AS key
