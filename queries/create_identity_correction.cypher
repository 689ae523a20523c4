// purpose: keep a steward correction (a merge or a split)
// params: row
CREATE (c:IdentityCorrection)
SET c = $row
