// purpose: create the touchpoints not stored when the load began, with their links
// params: rows
UNWIND $rows AS row
MATCH (m:MSL {msl_id: row.msl_id})
MATCH (h:HCP {hcp_id: row.hcp_id})
MERGE (t:Touchpoint {touchpoint_id: row.touchpoint_id})
  ON CREATE SET t.date = row.date,
                t.channel = row.channel,
                t.topic = row.topic,
                t.insight = row.insight,
                t.insight_category = row.insight_category,
                t.sentiment = row.sentiment
WITH m, t, h
WHERE NOT EXISTS { (t)<-[:LOGGED]-() }
CREATE (m)-[:LOGGED]->(t)-[:WITH]->(h)
