-- the current affiliations' (HCP, institution) of the given HCPs
SELECT hcp_id, institution_id FROM affiliations
WHERE end_year IS NULL AND hcp_id IN (SELECT value FROM json_each(:hcp_ids))
