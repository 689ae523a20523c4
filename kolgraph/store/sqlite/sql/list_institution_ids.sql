-- every institution's id, with those only a current affiliation names
SELECT institution_id FROM institutions
UNION SELECT institution_id FROM affiliations WHERE end_year IS NULL
