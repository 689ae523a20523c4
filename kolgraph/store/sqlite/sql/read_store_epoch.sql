-- the database file's random epoch (set when it was created or migrated to layout 8)
SELECT epoch FROM store_version
