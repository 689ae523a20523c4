// purpose: store territory rules, one node per line of the alignment file
// params: rules
UNWIND $rules AS rule
CREATE (r:TerritoryRule)
SET r = rule
