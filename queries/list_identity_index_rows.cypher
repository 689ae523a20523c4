// purpose: what an identity review reads of every HCP, in id order, as lists in one record
// params:
MATCH (h:HCP)
WITH h ORDER BY h.hcp_id
RETURN collect([h.hcp_id, h.first_name, h.last_name, h.city, h.npi, h.orcid, h.name,
  h.influence]) AS rows
