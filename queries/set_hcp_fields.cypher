// purpose: give the kept HCP of a merge the fields it lacked
// params: hcp_id, fields
MATCH (h:HCP {hcp_id: $hcp_id})
SET h += $fields
