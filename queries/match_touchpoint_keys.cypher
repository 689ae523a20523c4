// purpose: which of the given Touchpoint keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:Touchpoint {touchpoint_id: key})
RETURN n.touchpoint_id AS key
