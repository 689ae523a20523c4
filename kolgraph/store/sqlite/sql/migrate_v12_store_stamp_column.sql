-- version 12: a random stamp per write, so another history at the same version never matches
ALTER TABLE store_version ADD COLUMN stamp TEXT
