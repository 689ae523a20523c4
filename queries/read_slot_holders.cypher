// purpose: who holds each author slot (pmid, position) of the given papers
// params: request
UNWIND $request.pmids AS pmid
MATCH (h:HCP)-[a:AUTHORED]->(:Publication {pmid: pmid})
WHERE a.position IS NOT NULL
RETURN collect([pmid, a.position, h.hcp_id]) AS rows
