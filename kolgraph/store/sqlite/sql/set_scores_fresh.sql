-- scores computed after :seen stale-making writes were stored: only writes after those
-- leave them stale
UPDATE score_state SET stale = max(stale - :seen, 0) WHERE id = 1
