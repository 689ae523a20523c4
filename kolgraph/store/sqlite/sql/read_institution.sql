-- whether an institution exists
SELECT 1 FROM institutions WHERE institution_id = :institution_id
