-- every kept coverage day (of one territory when given)
SELECT day, territory, tier12_hcps, engaged FROM coverage_days
WHERE :territory IS NULL OR territory = :territory ORDER BY day, territory
