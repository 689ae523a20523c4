"""Graph stores: one interface (:class:`GraphStore`), an embedded and a Neo4j backend."""

from __future__ import annotations

from kolgraph.config import Settings
from kolgraph.store.base import GraphStore


def store_class(settings: Settings) -> type[GraphStore]:
    """The class of the store the settings name (its module imported only when named)."""
    if settings.backend == "neo4j":
        from kolgraph.store.neo4j import Neo4jStore

        return Neo4jStore
    from kolgraph.store.sqlite import EmbeddedStore

    return EmbeddedStore


def open_store(settings: Settings, *, create: bool = False) -> GraphStore:
    """Open the store the settings name; the caller closes it.

    An embedded store is created only with ``create=True`` (``kolgraph init`` and ``load``);
    otherwise a missing one is :class:`~kolgraph.errors.StoreUnavailable`.
    """
    return store_class(settings).open(settings, create=create)


__all__ = ["GraphStore", "open_store", "store_class"]
