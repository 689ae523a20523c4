// purpose: every tier some HCP's score has, in order
// params:
MATCH (h:HCP)
WHERE h.tier IS NOT NULL
RETURN DISTINCT h.tier AS tier
ORDER BY tier
