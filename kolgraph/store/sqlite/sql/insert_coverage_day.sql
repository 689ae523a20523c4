-- one territory's coverage on a day
INSERT INTO coverage_days (day, territory, tier12_hcps, engaged) VALUES (:day, :territory, :tier12_hcps, :engaged)
