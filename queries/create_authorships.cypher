// purpose: first load of AUTHORED, per HCP, with position and last_author
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
UNWIND row.publications AS publication
MATCH (p:Publication {pmid: publication.pmid})
CREATE (h)-[:AUTHORED {position: publication.position, last_author: publication.last_author}]->(p)
