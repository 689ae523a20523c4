// purpose: index HCP.rank, which coverage gaps and coverage select HCPs by
// params:
CREATE INDEX hcp_rank IF NOT EXISTS
FOR (n:HCP) ON (n.rank)
