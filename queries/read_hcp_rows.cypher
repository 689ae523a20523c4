// purpose: the stored fields of each given HCP (kept where a source load gives nothing)
// params: request
UNWIND $request.keys AS key
MATCH (h:HCP {hcp_id: key})
RETURN collect([key, h.first_name, h.last_name, h.credentials, h.specialty, h.city, h.state,
                h.postal_code, h.country, h.territory, h.npi, h.orcid, h.email]) AS rows
