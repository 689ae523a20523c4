-- version 8: a random epoch per database file, so files derived from it never match another's
ALTER TABLE store_version ADD COLUMN epoch TEXT
