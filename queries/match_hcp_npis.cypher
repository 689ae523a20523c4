// purpose: the HCPs holding each of the given NPIs
// params: npis
UNWIND $npis AS npi
MATCH (h:HCP {npi: npi})
RETURN npi, h.hcp_id AS hcp_id
ORDER BY npi, hcp_id
