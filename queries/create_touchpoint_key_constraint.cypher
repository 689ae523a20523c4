// purpose: make Touchpoint.touchpoint_id unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT touchpoint_key IF NOT EXISTS
FOR (n:Touchpoint) REQUIRE n.touchpoint_id IS UNIQUE
