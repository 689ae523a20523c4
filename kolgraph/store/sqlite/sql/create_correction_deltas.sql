-- steward corrections for snapshots to mend (.touch_deltas): by the store_version each one
-- made, the stamp of the state it followed, and the HCPs it merged or split (JSON)
CREATE TABLE IF NOT EXISTS correction_deltas (
    version INTEGER PRIMARY KEY, prior TEXT NOT NULL, hcp_ids TEXT NOT NULL
)
