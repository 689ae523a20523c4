// purpose: first load of authorships (the store holds none): per HCP (looked up once), create (:HCP)-[:AUTHORED]->(:Publication) with position and last_author for each of its publications in the batch
// params: rows
UNWIND $rows AS row
MATCH (h:HCP {hcp_id: row.hcp_id})
UNWIND row.publications AS publication
MATCH (p:Publication {pmid: publication.pmid})
CREATE (h)-[:AUTHORED {position: publication.position, last_author: publication.last_author}]->(p)
