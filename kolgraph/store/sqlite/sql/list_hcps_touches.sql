-- the touchpoints of a JSON list of HCPs, as list_touches (a range of touchpoints_by_hcp_date each)
SELECT hcp_id, msl_id, date FROM touchpoints
WHERE hcp_id IN (SELECT value FROM json_each(:hcp_ids))
