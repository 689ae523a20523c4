-- drop every co-authorship of the HCPs in temp.corrected, before they are recounted
DELETE FROM coauthorships
WHERE hcp_a IN (SELECT hcp_id FROM temp.corrected) OR hcp_b IN (SELECT hcp_id FROM temp.corrected)
