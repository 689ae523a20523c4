// purpose: first load of authorships (the store holds none): per publication, create (:HCP)-[:AUTHORED]->(:Publication) with position and last_author for each of its authors
// params: rows
UNWIND $rows AS row
MATCH (p:Publication {pmid: row.pmid})
UNWIND row.authors AS author
MATCH (h:HCP {hcp_id: author.hcp_id})
CREATE (h)-[:AUTHORED {position: author.position, last_author: author.last_author}]->(p)
