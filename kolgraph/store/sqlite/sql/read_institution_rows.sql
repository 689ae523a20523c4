-- the stored fields of each given institution (what a source load keeps where it gives nothing)
SELECT institution_id, name, type, city, state, country
FROM institutions WHERE institution_id IN (SELECT value FROM json_each(:keys))
