// purpose: index HCP.npi, by which CRM call exports name HCPs
// params:
CREATE INDEX hcp_npi IF NOT EXISTS
FOR (n:HCP) ON (n.npi)
