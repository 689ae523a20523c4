// purpose: every MSL node's properties (collected: one record, since records cost far more than maps)
// params:
MATCH (n:MSL)
RETURN collect(properties(n)) AS rows
