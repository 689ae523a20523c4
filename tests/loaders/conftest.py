"""Fixtures for the loader tests: a store of each backend, empty or holding the small bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolgraph.loading import load_path
from kolgraph.store.embedded import EmbeddedStore
from kolgraph.store.neo4j import Neo4jStore

SMALL_BUNDLE = Path(__file__).parent.parent / "data" / "bundle_small"


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path):
    """An empty store of each backend (Neo4j: a real server, wiped before the test)."""
    if request.param == "embedded":
        opened = EmbeddedStore(tmp_path / "home")
    else:
        opened = Neo4jStore(request.getfixturevalue("neo4j_clean"), database="neo4j")
    yield opened
    opened.close()


@pytest.fixture
def small_bundle() -> Path:
    """``tests/data/bundle_small``: all nine files, 6 HCPs, every date in the past."""
    return SMALL_BUNDLE


@pytest.fixture
def loaded(store, small_bundle):
    """A store holding the small bundle, so "nothing was written" means something."""
    load_path(small_bundle, store)
    return store
