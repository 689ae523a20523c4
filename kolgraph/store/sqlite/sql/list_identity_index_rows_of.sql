-- list_identity_index_rows for a JSON list of HCPs (an identity index mended after a correction)
SELECT h.hcp_id, h.first_name, h.last_name, h.city, h.npi, h.orcid, h.name, s.influence
FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id
WHERE h.hcp_id IN (SELECT value FROM json_each(:hcp_ids)) ORDER BY h.hcp_id
