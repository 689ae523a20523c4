// purpose: replace a day's coverage rows, one per territory
// params: day, rows
OPTIONAL MATCH (old:CoverageDay {day: $day})
DELETE old
WITH DISTINCT 1 AS one
UNWIND $rows AS row
CREATE (:CoverageDay {day: $day, territory: row.territory, tier12_hcps: row.tier12_hcps, engaged: row.engaged})
