-- writes that changed only touchpoints (and MSLs) for snapshots to follow (.touch_deltas)
-- by the store_version each one made: the stamp of the state it followed, and the HCPs whose
-- touchpoints it changed (JSON)
CREATE TABLE IF NOT EXISTS touch_deltas (
    version INTEGER PRIMARY KEY, prior TEXT NOT NULL, hcp_ids TEXT NOT NULL
)
