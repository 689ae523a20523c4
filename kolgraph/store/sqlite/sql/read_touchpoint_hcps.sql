-- the HCPs stored touchpoints belong to, for a JSON list of touchpoint ids
SELECT DISTINCT hcp_id FROM touchpoints
WHERE touchpoint_id IN (SELECT value FROM json_each(:touchpoint_ids))
