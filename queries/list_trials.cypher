// purpose: every Trial node's properties (collected: one record, since records cost far more than maps)
// params:
MATCH (n:Trial)
RETURN collect(properties(n)) AS rows
