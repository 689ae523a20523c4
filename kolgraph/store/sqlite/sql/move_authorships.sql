-- a split: the HCP's authorships of the given PMIDs (a JSON array) go to the new HCP
UPDATE authorships SET hcp_id = :other_id
WHERE hcp_id = :hcp_id AND pmid IN (SELECT value FROM json_each(:pmids))
