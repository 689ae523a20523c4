-- one HCP's touchpoints with the MSL's name
SELECT t.touchpoint_id, t.date, t.msl_id, m.name AS msl_name, t.channel, t.topic, t.insight,
       t.insight_category, t.sentiment
FROM touchpoints AS t LEFT JOIN msls AS m ON m.msl_id = t.msl_id
WHERE t.hcp_id = :hcp_id
