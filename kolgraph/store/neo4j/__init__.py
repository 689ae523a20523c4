"""The Neo4j store: the graph in a real Neo4j server, through the official driver."""

from kolgraph.store.neo4j.store import SCHEMA_VERSION, Neo4jStore

__all__ = ["SCHEMA_VERSION", "Neo4jStore"]
