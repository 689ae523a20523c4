// purpose: every MSL's id, name, territory and therapeutic area, by id (a server's gaps snapshot)
// params:
MATCH (m:MSL)
WITH m ORDER BY m.msl_id
RETURN collect([m.msl_id, m.name, m.territory, m.therapeutic_area]) AS rows
