-- list_scored_hcps for a JSON list of HCPs (a gaps snapshot mended after a correction)
SELECT h.hcp_id, h.name, h.territory, h.specialty, s.tier, s.influence, s.rank
FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
WHERE s.hcp_id IN (SELECT value FROM json_each(:hcp_ids))
ORDER BY s.influence DESC, s.rank, s.hcp_id
