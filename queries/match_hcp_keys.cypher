// purpose: which of the given HCP keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:HCP {hcp_id: key})
RETURN n.hcp_id AS key
