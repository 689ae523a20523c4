// purpose: every Publication node's properties, collected in one record
// params:
MATCH (n:Publication)
RETURN collect(properties(n)) AS rows
