// purpose: link-prediction facts around one HCP, with only the candidates that may make the top
// params: hcp_id, limit, margin, institution_weight
MATCH (h:HCP {hcp_id: $hcp_id})
CALL (h) {
  MATCH (h)-[:COAUTHORED_WITH]-(c)
  RETURN collect([c, COUNT { (c)-[:COAUTHORED_WITH]-() }]) AS coauthors
}
CALL (h) {
  MATCH (h)-[a:AFFILIATED_WITH]->(i)
  WHERE a.end_year IS NULL
  RETURN collect(DISTINCT i) AS places
}
CALL (h, coauthors, places) {
  CALL (coauthors, places) {
    UNWIND coauthors AS co
    RETURN co[0] AS x, 0.0 AS w, 1 AS own, null AS via
    UNION ALL
    UNWIND coauthors AS co
    WITH co[0] AS c, co[1] AS n
    WHERE n > 1
    MATCH (c)-[:COAUTHORED_WITH]-(x)
    RETURN x, 1.0 / log(n) AS w, 0 AS own, c AS via
    UNION ALL
    UNWIND places AS i
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
WITH coauthors, places, scored,
     scored[CASE WHEN size(scored) < $limit THEN size(scored) ELSE $limit END - 1][1] - $margin
     AS floor
RETURN
  [s IN scored WHERE s[1] >= floor
   | [s[0].hcp_id, [v IN s[2] WHERE v:HCP | v.hcp_id], [v IN s[2] WHERE v:Institution | v.institution_id]]
  ] AS candidates,
  [co IN coauthors | [co[0].hcp_id, co[0].name, co[1]]] AS coauthors,
  [i IN places | [i.institution_id, i.name]] AS institutions
