-- the stored territory rules, in file order
SELECT line, territory, country, state, postal_code FROM territory_rules ORDER BY line
