-- drop the MeSH terms of every author of the publications in temp.touched, before they are recounted
DELETE FROM hcp_topics
WHERE hcp_id IN (SELECT hcp_id FROM authorships WHERE pmid IN temp.touched)
