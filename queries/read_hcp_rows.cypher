// purpose: the stored fields of each given HCP (what a source load keeps where it gives nothing)
// params: request
UNWIND $request.hcp_ids AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
RETURN collect([hcp_id, h.first_name, h.last_name, h.credentials, h.specialty, h.city, h.state,
                h.postal_code, h.country, h.territory, h.npi, h.orcid, h.email]) AS rows
