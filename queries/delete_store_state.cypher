// purpose: remove the StoreState markers older versions wrote (the schema version replaces them)
// params:
MATCH (s:StoreState)
DELETE s
