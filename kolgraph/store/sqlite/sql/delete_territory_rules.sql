-- remove every territory rule (before storing a new alignment)
DELETE FROM territory_rules
