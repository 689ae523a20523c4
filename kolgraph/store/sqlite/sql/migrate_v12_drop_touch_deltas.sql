-- version 12: deltas without the stamp they follow cannot be followed safely (one rebuild)
DROP TABLE IF EXISTS touch_deltas
