// purpose: set given HCPs' territory, territory_aligned and source_territory
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
SET h.territory = row.territory,
    h.territory_aligned = row.territory_aligned,
    h.source_territory = row.source_territory
