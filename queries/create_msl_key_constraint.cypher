// purpose: make MSL.msl_id unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT msl_key IF NOT EXISTS
FOR (n:MSL) REQUIRE n.msl_id IS UNIQUE
