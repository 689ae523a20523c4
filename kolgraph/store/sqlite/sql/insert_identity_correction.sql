-- keep a steward correction (a merge or a split); its id is the store's key, so a second writer of the same id fails
INSERT INTO identity_corrections (correction_id, kind, hcp_id, other_id, pmids, slots, fields, steward, recorded_at)
VALUES (:correction_id, :kind, :hcp_id, :other_id, :pmids, :slots, :fields, :steward, :recorded_at)
