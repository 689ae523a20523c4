// purpose: the country, state and postal code of each given HCP
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN collect([hcp_id, h.country, h.state, h.postal_code]) AS rows
