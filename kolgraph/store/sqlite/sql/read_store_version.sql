-- the counter every write transaction bumps, and the random stamp it sets
SELECT version, stamp FROM store_version
