// purpose: write influence scores onto HCP nodes (components and their raw values as JSON strings)
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
SET h.influence = row.influence, h.tier = row.tier, h.rank = row.rank,
    h.components_json = row.components_json, h.rising = row.rising,
    h.rising_score = row.rising_score, h.components_raw_json = row.components_raw_json
