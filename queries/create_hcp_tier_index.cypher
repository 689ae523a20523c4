// purpose: index HCP.tier, which coverage gaps and coverage select HCPs by
// params:
CREATE INDEX hcp_tier IF NOT EXISTS
FOR (n:HCP) ON (n.tier)
