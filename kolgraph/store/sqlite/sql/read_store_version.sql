-- the counter every write transaction bumps
SELECT version FROM store_version
