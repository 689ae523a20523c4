// purpose: every HCP node's properties, collected in one record
// params:
MATCH (n:HCP)
RETURN collect(properties(n)) AS rows
