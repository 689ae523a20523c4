-- HCPs currently affiliated with an institution
SELECT hcp_id FROM affiliations WHERE institution_id = :institution_id AND end_year IS NULL
