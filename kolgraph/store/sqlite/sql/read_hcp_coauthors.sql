-- an HCP's co-authors with their names and joint papers
SELECT c.other AS hcp_id, h.name, c.papers AS joint_publications, c.last_year
FROM (SELECT hcp_b AS other, papers, last_year FROM coauthorships WHERE hcp_a = :hcp_id
      UNION ALL
      SELECT hcp_a, papers, last_year FROM coauthorships WHERE hcp_b = :hcp_id) AS c
JOIN hcps AS h ON h.hcp_id = c.other
