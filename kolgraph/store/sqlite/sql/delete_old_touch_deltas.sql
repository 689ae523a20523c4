-- deltas older than a snapshot is worth following (an older one is read whole again)
DELETE FROM touch_deltas WHERE version <= :oldest
