// purpose: remove every stored territory rule (before storing a new alignment)
// params:
MATCH (r:TerritoryRule)
DETACH DELETE r
