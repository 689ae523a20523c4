// purpose: every steward correction, oldest first
// params:
MATCH (c:IdentityCorrection)
RETURN c.correction_id AS correction_id, c.kind AS kind, c.hcp_id AS hcp_id,
       c.other_id AS other_id, c.pmids AS pmids, c.slots AS slots, c.fields AS fields,
       c.steward AS steward, c.recorded_at AS recorded_at
ORDER BY correction_id
