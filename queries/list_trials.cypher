// purpose: every Trial node's properties, collected in one record
// params:
MATCH (n:Trial)
RETURN collect(properties(n)) AS rows
