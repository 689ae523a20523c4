// purpose: record the database's kolgraph schema version
// params: version
MERGE (s:KolgraphSchema {name: 'kolgraph'})
SET s.version = $version
