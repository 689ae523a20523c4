// purpose: the stored territory alignment: its settings (no row when none is stored) and every rule
// params:
MATCH (a:TerritoryAlignment {id: 1})
OPTIONAL MATCH (r:TerritoryRule)
RETURN a.source AS source, a.override AS override, collect(properties(r)) AS rules
