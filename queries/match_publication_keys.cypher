// purpose: which of the given Publication keys are already stored
// params: keys
UNWIND $keys AS key
MATCH (n:Publication {pmid: key})
RETURN n.pmid AS key
