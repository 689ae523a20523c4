"""Pytest plugin: one real Neo4j server for the whole test session.

``neo4j_server`` starts a server with :mod:`kolgraph.neo4j_server` in a session temp folder on
a free port, unless ``KOLGRAPH_TEST_NEO4J_URI`` (with ``NEO4J_PASSWORD``) names a running one.
When no server can be had, the tests that need one fail under CI (env ``CI`` set) and are
skipped elsewhere, with the reason. ``neo4j_driver`` is one driver for the session;
``neo4j_clean`` empties the graph (keeping constraints and indexes) before a test.

Tests using these fixtures get the ``neo4j`` marker automatically.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from kolgraph import neo4j_server as server
from kolgraph.errors import Neo4jServerError
from kolgraph.ports import free_port

NEO4J_FIXTURES = frozenset({"neo4j_server", "neo4j_driver", "neo4j_clean"})


@dataclass(frozen=True)
class Neo4jTarget:
    """How the tests reach the session's server; ``directory`` is None for an external one."""

    uri: str
    username: str
    password: str
    database: str = "neo4j"
    directory: Path | None = None


def pytest_collection_modifyitems(items):
    """Mark every test that uses a Neo4j fixture (directly or through another) ``neo4j``."""
    for item in items:
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def _unavailable(reason: str):
    """In CI a missing server is a failure; elsewhere the tests that need it are skipped."""
    message = f"no Neo4j server for the tests: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _external_target() -> Neo4jTarget | None:
    uri = os.environ.get("KOLGRAPH_TEST_NEO4J_URI")
    if not uri:
        return None
    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        _unavailable("KOLGRAPH_TEST_NEO4J_URI is set but NEO4J_PASSWORD is not")
    return Neo4jTarget(
        uri=uri,
        username=os.environ.get("NEO4J_USERNAME") or "neo4j",
        password=password,
        database=os.environ.get("NEO4J_DATABASE") or "neo4j",
    )


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A running Neo4j 5.26 server: started here on a free port, or the one the env names."""
    external = _external_target()
    if external:
        yield external
        return
    directory = tmp_path_factory.mktemp("neo4j-server")
    try:
        started = server.start(
            directory, free_port(), password=server.generate_password(), memory=server.TEST_MEMORY
        )
    except Neo4jServerError as exc:
        _unavailable(str(exc))
    try:
        yield Neo4jTarget(
            uri=started.uri,
            username=server.USERNAME,
            password=started.password,
            directory=started.status.directory,
        )
    finally:
        server.stop(directory)


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):
    """One driver for the session, closed at its end."""
    driver = GraphDatabase.driver(
        neo4j_server.uri, auth=(neo4j_server.username, neo4j_server.password)
    )
    try:
        driver.verify_connectivity()
    except Exception as exc:  # any failure to reach it means: no server for these tests
        driver.close()
        _unavailable(f"cannot reach {neo4j_server.uri}: {exc}")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_clean(neo4j_driver, neo4j_server):
    """The driver, on a graph emptied of nodes and relationships (schema kept)."""
    with neo4j_driver.session(database=neo4j_server.database) as session:
        # Batched, so a large graph left by an earlier test cannot exhaust the heap.
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    yield neo4j_driver
