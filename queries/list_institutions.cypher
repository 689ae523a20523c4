// purpose: every Institution node's properties (collected: one record, since records cost far more than maps)
// params:
MATCH (n:Institution)
RETURN collect(properties(n)) AS rows
