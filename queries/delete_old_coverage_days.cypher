// purpose: drop coverage days before $oldest
// params: oldest
MATCH (c:CoverageDay)
WHERE c.day < $oldest
DELETE c
