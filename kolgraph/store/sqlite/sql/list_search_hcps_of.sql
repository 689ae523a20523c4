-- list_search_hcps for a JSON list of HCPs (a search index mended after a correction)
SELECT h.hcp_id, h.name, h.specialty, h.territory, s.tier, s.influence, s.rank
FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id
WHERE h.hcp_id IN (SELECT value FROM json_each(:hcp_ids)) ORDER BY h.hcp_id
