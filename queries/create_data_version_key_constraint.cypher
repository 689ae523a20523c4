// purpose: keep one DataVersion node when first writers race to create it
// params:
CREATE CONSTRAINT data_version_key IF NOT EXISTS
FOR (n:DataVersion) REQUIRE n.id IS UNIQUE
