-- the deltas of the writes that made store versions after :since up to :until, in order:
-- touchpoint deltas (corrected 0) and steward corrections (corrected 1)
SELECT version, prior, hcp_ids, 0 AS corrected FROM touch_deltas
WHERE version > :since AND version <= :until
UNION ALL
SELECT version, prior, hcp_ids, 1 AS corrected FROM correction_deltas
WHERE version > :since AND version <= :until
ORDER BY version
