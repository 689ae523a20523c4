// purpose: the names of every index and constraint but the built-in token look-ups
// params:
SHOW INDEXES YIELD name, type
WHERE type <> 'LOOKUP'
RETURN collect(name) AS names
