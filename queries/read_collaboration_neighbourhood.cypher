// purpose: link-prediction facts around one HCP: its co-authors (with how many co-authors
//          each has) and current institutions, and the candidates that may make the top
//          $limit suggestions, each with the co-authors and institutions it shares
// params: hcp_id, limit, margin, institution_weight
// A candidate's score before topics (Adamic-Adar plus institution_weight per shared current
// institution) is summed here only to drop the hopeless ones: a top HCP has tens of
// thousands of candidates, and the exact scores are added in Python.
MATCH (h:HCP {hcp_id: $hcp_id})
CALL (h) {
  CALL (h) {
    MATCH (h)-[:COAUTHORED_WITH]-(c)
    RETURN c AS x, 0.0 AS w, 1 AS own, null AS via
    UNION ALL
    MATCH (h)-[:COAUTHORED_WITH]-(c)
    WITH c, COUNT { (c)-[:COAUTHORED_WITH]-() } AS n
    WHERE n > 1
    MATCH (c)-[:COAUTHORED_WITH]-(x)
    RETURN x, 1.0 / log(n) AS w, 0 AS own, c AS via
    UNION ALL
    MATCH (h)-[a:AFFILIATED_WITH]->(i)
    WHERE a.end_year IS NULL
    MATCH (i)<-[b:AFFILIATED_WITH]-(x)
    WHERE b.end_year IS NULL
    WITH DISTINCT i, x
    RETURN x, $institution_weight AS w, 0 AS own, i AS via
  }
  WITH x, sum(w) AS base, max(own) AS own, collect(via) AS vias
  WHERE own = 0 AND x <> h
  WITH x, base, vias
    ORDER BY base DESC
  RETURN collect([x, base, vias]) AS scored
}
WITH h, scored, scored[CASE WHEN size(scored) < $limit THEN size(scored) ELSE $limit END - 1][1]
     - $margin AS floor
RETURN
  [s IN scored WHERE s[1] >= floor
   | [s[0].hcp_id, [v IN s[2] WHERE v:HCP | v.hcp_id], [v IN s[2] WHERE v:Institution | v.institution_id]]
  ] AS candidates,
  COLLECT {
    MATCH (h)-[:COAUTHORED_WITH]-(c)
    RETURN [c.hcp_id, c.name, COUNT { (c)-[:COAUTHORED_WITH]-() }]
  } AS coauthors,
  COLLECT {
    MATCH (h)-[a:AFFILIATED_WITH]->(i)
    WHERE a.end_year IS NULL
    RETURN DISTINCT [i.institution_id, i.name]
  } AS institutions
