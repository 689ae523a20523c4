// purpose: make IdentityCorrection.correction_id unique (two stewards at once: one fails)
// params:
CREATE CONSTRAINT identity_correction_key IF NOT EXISTS
FOR (c:IdentityCorrection) REQUIRE c.correction_id IS UNIQUE
