-- the deltas of the writes that made store versions after :since up to :until, in order
SELECT version, prior, hcp_ids FROM touch_deltas
WHERE version > :since AND version <= :until ORDER BY version
