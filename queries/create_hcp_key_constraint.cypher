// purpose: make HCP.hcp_id unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT hcp_key IF NOT EXISTS
FOR (n:HCP) REQUIRE n.hcp_id IS UNIQUE
