-- into temp.recounted: the HCPs in temp.corrected
INSERT OR IGNORE INTO temp.recounted (hcp_id) SELECT hcp_id FROM temp.corrected
