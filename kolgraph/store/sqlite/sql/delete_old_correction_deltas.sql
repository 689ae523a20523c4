-- corrections older than a snapshot is worth mending (an older one is read whole again)
DELETE FROM correction_deltas WHERE version <= :oldest
