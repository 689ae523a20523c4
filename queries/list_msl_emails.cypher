// purpose: the e-mail of every MSL that has one
// params:
MATCH (m:MSL)
WHERE m.email IS NOT NULL
RETURN m.email AS email, m.msl_id AS msl_id
ORDER BY msl_id
