-- names of the given institutions
SELECT institution_id, name FROM institutions
WHERE institution_id IN (SELECT value FROM json_each(:institution_ids))
