// purpose: index HCP.touch_seq, which a server's gaps snapshot follows writes by
// params:
CREATE INDEX hcp_touch_seq IF NOT EXISTS
FOR (n:HCP) ON (n.touch_seq)
