"""The local Neo4j server kolgraph runs: a real server, started by the test session."""

from __future__ import annotations

import socket
import stat

import psutil
import pytest
from neo4j import GraphDatabase

from kolgraph import neo4j_server as server
from kolgraph.config import stored_password
from kolgraph.errors import Neo4jServerError
from kolgraph.ports import free_port

LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}


@pytest.fixture
def local(neo4j_server):
    """The session's server, when this session started it (not an external one)."""
    if neo4j_server.directory is None:
        pytest.skip("the session uses an external server (KOLGRAPH_TEST_NEO4J_URI)")
    return neo4j_server


def _components(uri: str, password: str) -> list[tuple]:
    with GraphDatabase.driver(uri, auth=(server.USERNAME, password)) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
        )
    return [(r["name"], tuple(r["versions"]), r["edition"]) for r in records]


@pytest.mark.neo4j
def test_server_is_neo4j_5_26_community(neo4j_driver):
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
    )
    [(name, versions, edition)] = [(r["name"], r["versions"], r["edition"]) for r in records]
    assert (name, edition) == ("Neo4j Kernel", "community")
    assert versions[0].startswith("5.26.")


@pytest.mark.neo4j
def test_bolt_listens_on_loopback_only(local):
    pid = server.status(local.directory).pid
    listening = [
        c.laddr
        for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    port = int(local.uri.rsplit(":", 1)[1])
    assert port in {addr.port for addr in listening}
    assert {addr.ip for addr in listening} <= LOOPBACK


@pytest.mark.neo4j
def test_password_file_is_private_and_holds_the_password(local):
    path = local.directory / "password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored_password(local.directory) == local.password


@pytest.mark.neo4j
def test_status_reports_running(local):
    status = server.status(local.directory)
    assert status.running
    assert status.pid == int((local.directory / "run" / "neo4j.pid").read_text())
    assert status.uri == local.uri
    assert status.version == server.NEO4J_VERSION
    assert "is running" in status.describe()


@pytest.mark.neo4j
def test_start_twice_is_idempotent(local):
    before = server.status(local.directory)
    port = int(local.uri.rsplit(":", 1)[1])
    again = server.start(local.directory, port)
    assert again.already_running
    assert again.status.pid == before.pid
    assert server.status(local.directory).running


@pytest.mark.neo4j
def test_clean_fixture_wipes_data_but_keeps_constraints(neo4j_driver, request):
    neo4j_driver.execute_query(
        "CREATE CONSTRAINT clean_probe IF NOT EXISTS FOR (p:CleanProbe) REQUIRE p.key IS UNIQUE"
    )
    try:
        neo4j_driver.execute_query(
            "UNWIND range(1, 2500) AS i CREATE (:CleanProbe {key: i})-[:NEXT]->(:Other)"
        )
        request.getfixturevalue("neo4j_clean")
        records, _, _ = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
        assert records[0]["n"] == 0
        records, _, _ = neo4j_driver.execute_query(
            "SHOW CONSTRAINTS YIELD name WHERE name = 'clean_probe' RETURN name"
        )
        assert [r["name"] for r in records] == ["clean_probe"]
    finally:
        neo4j_driver.execute_query("DROP CONSTRAINT clean_probe IF EXISTS")


@pytest.mark.neo4j
@pytest.mark.slow
def test_start_stop_cycle_in_a_second_folder(neo4j_server, tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    directory = tmp_path / "second"
    port = free_port()
    try:
        first = server.start(directory, port, memory=server.TEST_MEMORY)
        assert first.password_source == "generated"
        assert stored_password(directory) == first.password
        assert _components(first.uri, first.password)[0][0] == "Neo4j Kernel"
        assert server.stop(directory)
        assert not server.status(directory).running
        assert not (directory / "run" / "neo4j.pid").exists()
        assert _port_free(port)
        # The folder has data now: the stored password is reused, not replaced; so are
        # the memory sizes it was started with, when none are given.
        second = server.start(directory, port)
        assert (second.password_source, second.password) == ("stored", first.password)
        assert _components(second.uri, second.password)
        assert server.status(directory).memory == server.TEST_MEMORY
    finally:
        server.stop(directory)
    assert not server.stop(directory)
    assert "not running" in server.stop_and_describe(directory)


def test_start_refuses_a_port_in_use(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            server.start(tmp_path / "srv", port)
        except Neo4jServerError as exc:
            message = str(exc)
        else:
            server.stop(tmp_path / "srv")
            pytest.fail("start succeeded on a busy port")
    # No Java / Maven here is its own clear error; otherwise it must be the port.
    assert f"port {port}" in message or "java" in message.lower() or "maven" in message.lower()


def test_old_java_is_refused(tmp_path, monkeypatch):
    bin_dir = tmp_path / "jdk" / "bin"
    bin_dir.mkdir(parents=True)
    java = bin_dir / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(Neo4jServerError, match=r"needs Java 17 or newer; .* is Java 11"):
        server.find_java()


def test_partial_fetch_is_not_taken_for_complete(tmp_path, monkeypatch):
    # A lib folder without the manifest (an interrupted fetch) makes fetch_jars fetch again,
    # which here fails clearly because Maven is not on PATH.
    lib = tmp_path / "cache" / "lib"
    lib.mkdir(parents=True)
    (lib / "neo4j-kernel-5.26.30.jar").write_bytes(b"")
    monkeypatch.setenv("KOLGRAPH_NEO4J_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(Neo4jServerError, match=r"Maven \(mvn\) is not installed"):
        server.fetch_jars()


def test_cache_dir_respects_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("KOLGRAPH_NEO4J_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert server.cache_dir() == tmp_path / "xdg" / "kolgraph" / f"neo4j-{server.NEO4J_VERSION}"
    monkeypatch.setenv("KOLGRAPH_NEO4J_CACHE", str(tmp_path / "mine"))
    assert server.cache_dir() == tmp_path / "mine"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_memory_sizes_given_replace_the_folder_s_and_the_others_stay(tmp_path):
    layout = server.Layout(tmp_path.resolve())
    assert server.chosen_memory(tmp_path, None, None) == server.DEFAULT_MEMORY  # a new folder
    server._write_conf(layout, free_port(), server.TEST_MEMORY)
    assert server.chosen_memory(tmp_path, None, "6g") == server.Memory("512m", "1g", "6g")
    assert server.chosen_memory(tmp_path, "8g", None) == server.Memory("8g", "8g", "256m")
    assert "heap 1g, page cache 256m at its next start" in server.status(tmp_path).describe()
