-- into temp.recounted: every author of the publications in temp.touched
INSERT OR IGNORE INTO temp.recounted (hcp_id)
SELECT hcp_id FROM authorships WHERE pmid IN temp.touched
