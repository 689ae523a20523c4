"""Graph stores: one interface (:class:`GraphStore`), an embedded and a Neo4j backend."""

from __future__ import annotations

from kolgraph.config import Settings
from kolgraph.store.base import GraphStore


def open_store(settings: Settings, *, create: bool = False) -> GraphStore:
    """Open the store the settings name; the caller closes it.

    An embedded store is created only with ``create=True`` (``kolgraph init`` and ``load``);
    otherwise a missing one is :class:`~kolgraph.errors.StoreUnavailable`.
    """
    if settings.backend == "neo4j":
        from kolgraph.store.neo4j import Neo4jStore

        return Neo4jStore.connect(settings.neo4j)
    from kolgraph.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.home, create=create)


__all__ = ["GraphStore", "open_store"]
