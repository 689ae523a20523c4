// purpose: which of the given Institution keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:Institution {institution_id: key})
RETURN n.institution_id AS key
