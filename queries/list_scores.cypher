// purpose: every scored HCP's influence, tier, rank, components and rising flag
// params:
MATCH (h:HCP)
WHERE h.influence IS NOT NULL
RETURN h.hcp_id AS hcp_id, h.influence AS influence, h.tier AS tier, h.rank AS rank,
       h.components_json AS components_json, h.rising AS rising, h.rising_score AS rising_score
