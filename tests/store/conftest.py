"""The ``store`` fixture: every contract test runs once per backend."""

from __future__ import annotations

import pytest

from kolgraph.store.embedded import EmbeddedStore
from kolgraph.store.neo4j import Neo4jStore


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    """An empty store of each backend (Neo4j: a real server, wiped before the test)."""
    if request.param == "embedded":
        opened = EmbeddedStore(tmp_path / "home")
    else:
        opened = Neo4jStore(request.getfixturevalue("neo4j_clean"), database="neo4j")
    yield opened
    opened.close()
