// purpose: every MSL node's properties, collected in one record
// params:
MATCH (n:MSL)
RETURN collect(properties(n)) AS rows
