// purpose: forget notes of correction writes made long ago (arrays that old are pulled again)
// params: keep
MATCH (v:DataVersion {id: 1})
MATCH (m:NetworkMend)
WHERE m.network <= v.network - $keep
DELETE m
