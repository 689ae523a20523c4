-- the e-mail of every MSL that has one
SELECT email, msl_id FROM msls WHERE email IS NOT NULL ORDER BY msl_id
