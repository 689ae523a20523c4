// purpose: which of the given MSL keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:MSL {msl_id: key})
RETURN n.msl_id AS key
