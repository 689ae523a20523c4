// purpose: the hcp_id of every author of the given publications
// params: pmids
UNWIND $pmids AS pmid
MATCH (:Publication {pmid: pmid})<-[:AUTHORED]-(h:HCP)
RETURN collect(DISTINCT h.hcp_id) AS hcp_ids
