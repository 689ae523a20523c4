// purpose: every HCP node's properties (collected: one record, since records cost far more than maps)
// params:
MATCH (n:HCP)
RETURN collect(properties(n)) AS rows
