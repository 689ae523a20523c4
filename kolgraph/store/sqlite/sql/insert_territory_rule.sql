-- store one territory rule
INSERT INTO territory_rules (line, territory, country, state, postal_code)
VALUES (:line, :territory, :country, :state, :postal_code)
