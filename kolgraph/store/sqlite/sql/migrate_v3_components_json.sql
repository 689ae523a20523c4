-- layout 3: a score's components are stored as components_json, the name Neo4j uses
ALTER TABLE hcp_scores RENAME COLUMN components TO components_json
