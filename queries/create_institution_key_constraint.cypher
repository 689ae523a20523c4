// purpose: make Institution.institution_id unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT institution_key IF NOT EXISTS
FOR (n:Institution) REQUIRE n.institution_id IS UNIQUE
