"""The stores tests open by name (the contract suite's ``store`` fixture and its variants)."""

from __future__ import annotations

from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore


def open_test_store(request, tmp_path):
    """The store ``request.param`` names: ``embedded``, ``neo4j``, or either followed by
    ``-server`` for one keeping snapshots as ``kolgraph serve`` does."""
    if request.param.startswith("embedded"):
        opened = EmbeddedStore(tmp_path / "home")
    else:
        opened = Neo4jStore(request.getfixturevalue("neo4j_clean"), database="neo4j")
    if request.param.endswith("-server"):
        opened.keep_snapshots()
    return opened
