// purpose: make Trial.nct_id unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT trial_key IF NOT EXISTS
FOR (n:Trial) REQUIRE n.nct_id IS UNIQUE
