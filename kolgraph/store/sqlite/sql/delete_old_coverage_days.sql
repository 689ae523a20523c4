-- drop coverage days before :oldest
DELETE FROM coverage_days WHERE day < :oldest
