-- scored HCPs in gaps answer order
SELECT h.hcp_id, h.name, h.territory, h.specialty, s.tier, s.influence, s.rank
FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
ORDER BY s.influence DESC, s.rank, s.hcp_id
