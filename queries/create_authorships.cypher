// purpose: first load of authorships (the store holds none): create (:HCP)-[:AUTHORED]->(:Publication) with position and last_author
// params: rows
UNWIND $rows AS row
MATCH (a:HCP {hcp_id: row.hcp_id})
MATCH (b:Publication {pmid: row.pmid})
CREATE (a)-[:AUTHORED {position: row.position, last_author: row.last_author}]->(b)
