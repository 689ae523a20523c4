// purpose: HCPs whose name, specialty, institution or MeSH term contains $text
// params: text, territory, limit
MATCH (h:HCP)
WHERE $territory IS NULL OR h.territory = $territory
WITH h,
     $text <> '' AND toLower(coalesce(h.name, '')) CONTAINS $text AS by_name,
     $text <> '' AND toLower(coalesce(h.specialty, '')) CONTAINS $text AS by_specialty,
     $text <> '' AND EXISTS {
       MATCH (h)-[:AFFILIATED_WITH]->(i:Institution) WHERE toLower(coalesce(i.name, '')) CONTAINS $text
     } AS by_institution,
     $text <> '' AND EXISTS {
       MATCH (h)-[:AUTHORED]->(p:Publication)
       WHERE any(term IN coalesce(p.mesh_terms, []) WHERE toLower(term) CONTAINS $text)
     } AS by_topic
WHERE $text = '' OR by_name OR by_specialty OR by_institution OR by_topic
WITH h, by_name, by_specialty, by_institution, by_topic
ORDER BY h.influence IS NULL, h.influence DESC, h.name, h.hcp_id
LIMIT $limit
RETURN h.hcp_id AS hcp_id, h.name AS name, h.specialty AS specialty, h.territory AS territory,
       h.tier AS tier, h.influence AS influence, h.rank AS rank,
       CASE WHEN by_name THEN ['name'] ELSE [] END
         + CASE WHEN by_specialty THEN ['specialty'] ELSE [] END
         + CASE WHEN by_institution THEN ['institution'] ELSE [] END
         + CASE WHEN by_topic THEN ['topic'] ELSE [] END AS matched
