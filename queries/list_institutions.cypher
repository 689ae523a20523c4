// purpose: every Institution node's properties, collected in one record
// params:
MATCH (n:Institution)
RETURN collect(properties(n)) AS rows
