// purpose: make Publication.pmid unique (and indexed) before anything is merged by it
// params:
CREATE CONSTRAINT publication_key IF NOT EXISTS
FOR (n:Publication) REQUIRE n.pmid IS UNIQUE
