// purpose: mark AUTHORED.last_author (the highest position) for the given publications
// params: pmids
UNWIND $pmids AS pmid
MATCH (p:Publication {pmid: pmid})<-[r:AUTHORED]-(:HCP)
WITH p, collect(r) AS authorships, max(r.position) AS last_position
UNWIND authorships AS r
SET r.last_author = (r.position = last_position)
