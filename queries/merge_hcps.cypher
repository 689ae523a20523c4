// purpose: upsert HCP nodes by hcp_id; a null value removes the property, scores are kept
// params: rows
UNWIND $rows AS row
MERGE (n:HCP {hcp_id: row.hcp_id})
SET n.first_name = row.first_name,
    n.last_name = row.last_name,
    n.credentials = row.credentials,
    n.specialty = row.specialty,
    n.city = row.city,
    n.state = row.state,
    n.postal_code = row.postal_code,
    n.country = row.country,
    n.territory = row.territory,
    n.territory_aligned = row.territory_aligned,
    n.source_territory = row.source_territory,
    n.npi = row.npi,
    n.orcid = row.orcid,
    n.email = row.email,
    n.name = row.name
