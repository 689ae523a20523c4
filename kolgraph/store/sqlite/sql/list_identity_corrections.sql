-- every steward correction, oldest first
SELECT correction_id, kind, hcp_id, other_id, pmids, slots, fields, steward, recorded_at
FROM identity_corrections ORDER BY correction_id
