// purpose: set the territory in force of the given HCPs, whether it came from the alignment, and the explicit one it replaced
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
SET h.territory = row.territory,
    h.territory_aligned = row.territory_aligned,
    h.source_territory = row.source_territory
