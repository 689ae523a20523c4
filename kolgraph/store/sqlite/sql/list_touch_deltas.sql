-- the deltas of the writes that made store versions after :since up to :until
SELECT hcp_ids FROM touch_deltas WHERE version > :since AND version <= :until
