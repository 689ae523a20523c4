-- every authorship's paper, HCP and position, in key order (scoring's numbers)
SELECT pmid, hcp_id, position FROM authorships ORDER BY pmid, hcp_id
