// purpose: index HCP.territory, which coverage gaps and coverage select HCPs by
// params:
CREATE INDEX hcp_territory IF NOT EXISTS
FOR (n:HCP) ON (n.territory)
