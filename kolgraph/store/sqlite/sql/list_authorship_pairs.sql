-- every authorship's HCP and publication
SELECT hcp_id, pmid FROM authorships
