// purpose: every kept coverage day (of one territory when given)
// params: territory
MATCH (c:CoverageDay)
WHERE $territory IS NULL OR c.territory = $territory
RETURN c.day AS day, c.territory AS territory, c.tier12_hcps AS tier12_hcps, c.engaged AS engaged
ORDER BY day, territory
