-- what an identity review reads of every HCP, with its influence, in id order
SELECT h.hcp_id, h.first_name, h.last_name, h.city, h.npi, h.orcid, h.name, s.influence
FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id ORDER BY h.hcp_id
