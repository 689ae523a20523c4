// purpose: the database's kolgraph schema version (null when none is recorded)
// params:
OPTIONAL MATCH (s:KolgraphSchema {name: 'kolgraph'})
RETURN s.version AS version
