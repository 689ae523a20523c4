-- every MSL
SELECT msl_id, name, territory, therapeutic_area FROM msls ORDER BY msl_id
