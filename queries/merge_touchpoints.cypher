// purpose: upsert touchpoints with their LOGGED and WITH links (a changed MSL or HCP moves)
// params: rows
UNWIND $rows AS row
MATCH (m:MSL {msl_id: row.msl_id})
MATCH (h:HCP {hcp_id: row.hcp_id})
MERGE (t:Touchpoint {touchpoint_id: row.touchpoint_id})
SET t.date = row.date,
    t.channel = row.channel,
    t.topic = row.topic,
    t.insight = row.insight,
    t.insight_category = row.insight_category,
    t.sentiment = row.sentiment
WITH t, m, h
OPTIONAL MATCH (t)<-[old_logged:LOGGED]-(old_msl:MSL)
  WHERE old_msl <> m
OPTIONAL MATCH (t)-[old_with:WITH]->(old_hcp:HCP)
  WHERE old_hcp <> h
DELETE old_logged, old_with
WITH DISTINCT t, m, h
MERGE (m)-[:LOGGED]->(t)
MERGE (t)-[:WITH]->(h)
