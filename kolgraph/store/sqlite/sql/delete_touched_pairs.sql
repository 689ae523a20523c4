-- drop the co-authorships a load may change, before they are recounted
DELETE FROM coauthorships
WHERE (hcp_a, hcp_b) IN (SELECT hcp_a, hcp_b FROM temp.touched_pairs)
