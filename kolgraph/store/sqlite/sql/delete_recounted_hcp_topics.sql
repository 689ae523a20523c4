-- drop the MeSH terms of the HCPs in temp.recounted, before they are recounted
DELETE FROM hcp_topics WHERE hcp_id IN (SELECT hcp_id FROM temp.recounted)
