// purpose: the state of each given HCP that has one
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
WHERE h.state IS NOT NULL
RETURN collect([hcp_id, h.state]) AS rows
