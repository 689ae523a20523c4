-- every HCP's place and territory, and whether the territory came from the alignment
SELECT hcp_id, country, state, postal_code, territory, territory_aligned, source_territory
FROM hcps ORDER BY hcp_id
