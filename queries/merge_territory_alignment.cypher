// purpose: store the settings of the territory alignment (one node)
// params: source, override
MERGE (a:TerritoryAlignment {id: 1})
SET a.source = $source, a.override = $override
