// purpose: every Publication node's properties (collected: one record, since records cost far more than maps)
// params:
MATCH (n:Publication)
RETURN collect(properties(n)) AS rows
