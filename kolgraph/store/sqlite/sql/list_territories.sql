-- every territory an HCP, an MSL or a territory rule names, sorted
SELECT territory FROM hcps WHERE territory IS NOT NULL
UNION SELECT territory FROM msls WHERE territory IS NOT NULL
UNION SELECT territory FROM territory_rules
ORDER BY 1
