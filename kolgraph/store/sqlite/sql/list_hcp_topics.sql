-- each MeSH term with the ids of the HCPs whose publications carry it, joined by U+001F
SELECT term, group_concat(hcp_id, char(31)) FROM hcp_topics GROUP BY term
