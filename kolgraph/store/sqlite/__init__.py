"""The embedded store: the graph in one SQLite file, no server."""

from kolgraph.store.sqlite.store import DB_FILENAME, SCHEMA_VERSION, EmbeddedStore

__all__ = ["DB_FILENAME", "SCHEMA_VERSION", "EmbeddedStore"]
