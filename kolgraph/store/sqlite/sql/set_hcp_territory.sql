-- set an HCP's territory in force, whether it came from the alignment, the explicit one it replaced
UPDATE hcps SET territory = :territory, territory_aligned = :territory_aligned,
    source_territory = :source_territory
WHERE hcp_id = :hcp_id
