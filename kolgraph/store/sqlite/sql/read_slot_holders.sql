-- who holds each author slot (pmid, position) of the given papers
SELECT pmid, position, hcp_id FROM authorships
WHERE pmid IN (SELECT value FROM json_each(:pmids)) AND position IS NOT NULL
