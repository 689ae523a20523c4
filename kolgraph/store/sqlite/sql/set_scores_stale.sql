-- mark the stored scores stale (a load changed what they are computed from) or fresh
UPDATE score_state SET stale = :stale WHERE id = 1
