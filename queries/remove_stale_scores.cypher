// purpose: remove the scores of every scored HCP not among the given ones
// params: hcp_ids
MATCH (h:HCP)
WHERE h.influence IS NOT NULL AND NOT h.hcp_id IN $hcp_ids
REMOVE h.influence, h.tier, h.rank, h.components_json, h.rising, h.rising_score,
       h.components_raw_json
