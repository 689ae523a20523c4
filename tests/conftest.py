"""Shared fixtures.  The Neo4j server fixtures live in ``neo4j_session.py``."""

from __future__ import annotations

import json

import pytest
from shared_data import require_shared_data
from store_kinds import open_test_store

from kolgraph.loaders import linkage

pytest_plugins = ["neo4j_session"]


def pytest_ignore_collect(collection_path, config):
    """conftest files are plugins, loaded as such; ``--doctest-modules`` would import each a
    second time under the shared name ``conftest``."""
    return True if collection_path.name == "conftest.py" else None


@pytest.fixture(
    params=["embedded", "embedded-server", pytest.param("neo4j", marks=pytest.mark.neo4j)]
)
def store(request, tmp_path):
    """An empty store of each backend (Neo4j: a real server, wiped before the test); tests
    using it form the contract suite every store must pass.  The embedded store answers a
    one-off process from bounded SQL and a server (``embedded-server``) from snapshots
    kept in memory: both ways are in the suite."""
    opened = open_test_store(request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture(
    params=[
        "embedded",
        "embedded-server",
        pytest.param("neo4j", marks=pytest.mark.neo4j),
        pytest.param("neo4j-server", marks=pytest.mark.neo4j),
    ]
)
def store_or_neo4j_server(request, tmp_path):
    """The contract suite's stores, and Neo4j keeping its snapshots as a server does, for
    the answers a server reads from them (gaps, coverage, search)."""
    opened = open_test_store(request, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def real_data():
    """The real public data in ../shared/data (skipped without it; a failure in CI)."""
    require_shared_data()


def linkage_threshold(tmp_path, monkeypatch, threshold: float):
    """Loads from here on use the shipped linkage model with another merge threshold."""
    data = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8"))
    data["threshold"] = threshold
    model = tmp_path / f"model_{threshold}.json"
    model.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("KOLGRAPH_LINKAGE_MODEL", str(model))
    linkage.default_settings.cache_clear()


@pytest.fixture
def strict_linkage(tmp_path, monkeypatch):
    """A merge threshold of 7.0 (log-odds), as a cautious team might set it: some true
    persons stay split, which a steward then merges."""
    linkage_threshold(tmp_path, monkeypatch, 7.0)
    yield
    linkage.default_settings.cache_clear()


@pytest.fixture
def lenient_linkage(tmp_path, monkeypatch):
    """A merge threshold of -1.0, as a team that fears splits more than merges might set it:
    some weak merges are made, which the review shows and a steward splits."""
    linkage_threshold(tmp_path, monkeypatch, -1.0)
    yield
    linkage.default_settings.cache_clear()
