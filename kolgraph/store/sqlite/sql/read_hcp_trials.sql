-- one HCP's trials with its role
SELECT t.nct_id, t.title, t.phase, t.status, t.conditions, t.start_year, r.role
FROM trial_roles AS r JOIN trials AS t ON t.nct_id = r.nct_id WHERE r.hcp_id = :hcp_id
