// purpose: what one person across sources compares of every HCP, as lists in one record
// params:
MATCH (h:HCP)
RETURN collect([h.hcp_id, h.first_name, h.last_name, h.specialty, h.city, h.state, h.country,
  h.npi, h.orcid, h.email]) AS rows
