"""A first load into the empty database of the local server through ``neo4j-admin database
import`` (``kolgraph.store.neo4j.first_load``), on a real server this module starts in the
home folder of ``kolgraph neo4j start`` (a folder kolgraph manages), never mocked.

The bundle is the hand-made small one plus rows that test the file format: quotes, commas,
line breaks and a carriage return in text, empty lists, absent optional values, non-ASCII
names, and a paper over the co-author cap (set to 3 here).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from graph_snapshot import data_version, graph_snapshot
from neo4j import GraphDatabase

from kolgraph import neo4j_server as server
from kolgraph.cli import cli
from kolgraph.config import Neo4jSettings, Settings, local_server_dir
from kolgraph.errors import Neo4jServerError
from kolgraph.loading import load_path
from kolgraph.ports import free_port
from kolgraph.store.neo4j import SCHEMA_VERSION, Neo4jStore
from kolgraph.store.neo4j import first_load as first_load_module
from kolgraph.store.neo4j.first_load import local_server

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

SMALL_BUNDLE = Path(__file__).parent / "data" / "bundle_small"
IMPORT_MESSAGE = "writing it with neo4j-admin database import"

#: Rows added to the small bundle (every column as the header names it).
EXTRA_ROWS = {
    "hcps": [
        {"hcp_id": "H900", "first_name": "Zoë", "last_name": "Ørsted-Nuñez"},
        {"hcp_id": "H901", "first_name": "Li", "last_name": "O'Brien", "specialty": "Oncology"},
        {"hcp_id": "H902", "first_name": "Ana", "last_name": "Silva", "territory": "Northeast"},
        {"hcp_id": "H903", "first_name": "Tom", "last_name": "Berg"},
    ],
    "publications": [
        {"pmid": "39000001", "title": 'A "quoted", comma, title', "year": "2024"},
        {
            "pmid": "39000002",
            "title": "Consortium paper",
            "year": "2023",
            "mesh_terms": "Neoplasms",
        },
    ],
    "authorships": [
        {"pmid": "39000001", "hcp_id": "H900", "position": "1"},
        {"pmid": "39000001", "hcp_id": "H901", "position": "2"},
        {"pmid": "39000002", "hcp_id": "H900", "position": "1"},
        {"pmid": "39000002", "hcp_id": "H901", "position": "2"},
        {"pmid": "39000002", "hcp_id": "H902", "position": "3"},
        {"pmid": "39000002", "hcp_id": "H903", "position": "4"},
    ],
    "trials": [{"nct_id": "NCT09000001", "title": "No conditions", "start_year": "2022"}],
    "touchpoints": [
        {
            "touchpoint_id": "TP0900",
            "msl_id": "M01",
            "hcp_id": "H900",
            "date": "2025-03-01",
            "insight": 'Two lines:\nfirst, "second";\r\nand a third',
            "insight_category": "unmet need",
            "sentiment": "negative",
        },
        {"touchpoint_id": "TP0901", "msl_id": "M01", "hcp_id": "H900", "date": "2024-12-01"},
    ],
}
#: A later load: a new paper of stored HCPs, a touchpoint, a changed specialty.
FOLLOW_UP = {
    "hcps": [{"hcp_id": "H903", "first_name": "Tom", "last_name": "Berg", "specialty": "Surgery"}],
    "publications": [{"pmid": "39000003", "title": "Follow-up", "year": "2025"}],
    "authorships": [
        {"pmid": "39000003", "hcp_id": "H903", "position": "1"},
        {"pmid": "39000003", "hcp_id": "H001", "position": "2"},
    ],
    "touchpoints": [
        {"touchpoint_id": "TP0902", "msl_id": "M01", "hcp_id": "H903", "date": "2025-06-01"}
    ],
}


def _bundle(folder: Path, extra: dict[str, list[dict]], base: Path | None = None) -> Path:
    """``base``'s files (or none) with ``extra`` rows appended, as a bundle in ``folder``."""
    folder.mkdir()
    if base is not None:
        for path in base.glob("*.csv"):
            shutil.copy(path, folder / path.name)
    for table, rows in extra.items():
        path = folder / f"{table}.csv"
        if path.exists():
            with path.open(newline="", encoding="utf-8") as handle:
                header = next(csv.reader(handle))
        else:
            header = list(dict.fromkeys(k for row in rows for k in row))
        with path.open("a" if path.exists() else "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, header, lineterminator="\n")
            if handle.tell() == 0:
                writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """A server kolgraph manages in ``<home>/neo4j-server``, and the settings reaching it."""
    home = tmp_path_factory.mktemp("first-load") / "home"
    directory = local_server_dir(home)
    try:
        started = server.start(directory, free_port(), memory=server.TEST_MEMORY)
    except Neo4jServerError as exc:
        pytest.skip(f"no local Neo4j server: {exc}")
    settings = Settings(
        backend="neo4j",
        home=home,
        neo4j=Neo4jSettings(uri=started.uri, password=started.password),
        coauthor_max_authors=3,
    )
    try:
        yield settings
    finally:
        server.stop(directory)


@pytest.fixture
def driver(local):
    with GraphDatabase.driver(local.neo4j.uri, auth=("neo4j", local.neo4j.password)) as opened:
        yield opened


@pytest.fixture
def empty(driver):
    """The driver, on a database emptied of every node (kolgraph's constraints kept); the
    tests read without bookmarks (see ``graph_snapshot``)."""
    driver.execute_query("MATCH (n) DETACH DELETE n", bookmark_manager_=None)
    return driver


@pytest.fixture
def env(local, monkeypatch):
    """The environment a user's ``kolgraph --backend neo4j`` reaches the local server with."""
    monkeypatch.setenv("NEO4J_URI", local.neo4j.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", local.neo4j.password or "")
    monkeypatch.setenv("KOLGRAPH_COAUTHOR_MAX_AUTHORS", "3")
    return local


def kolgraph(settings: Settings, *args: str):
    base = ["--backend", "neo4j", "--home", str(settings.home)]
    return CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)


def _node_count(driver) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", bookmark_manager_=None)
    return records[0]["n"]


def _check_working(driver) -> None:
    """The database takes a write and reads it back."""
    driver.execute_query("CREATE (:Probe {key: 1})", bookmark_manager_=None)
    assert _node_count(driver) == 1
    driver.execute_query("MATCH (p:Probe) DELETE p", bookmark_manager_=None)


def _failed_load(settings: Settings, bundle: Path) -> str:
    """The output of ``kolgraph load BUNDLE``, which must fail with exit status 1."""
    result = CliRunner().invoke(
        cli, ["--backend", "neo4j", "--home", str(settings.home), "load", str(bundle)]
    )
    assert result.exit_code == 1
    return result.output


def _check_empty_and_working(settings: Settings, driver) -> None:
    """The home folder's server runs, with its database empty and taking writes."""
    assert server.status(local_server_dir(settings.home)).running
    assert _node_count(driver) == 0
    _check_working(driver)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _check_edge_rows(driver) -> None:
    """What the rows that test the file format became in the graph."""

    def one(query: str):
        records, _, _ = driver.execute_query(query, bookmark_manager_=None)
        return [tuple(r.values()) for r in records]

    assert one("MATCH (p:Publication {pmid: '39000001'}) RETURN p.title, p.mesh_terms") == [
        ('A "quoted", comma, title', [])
    ]
    assert one("MATCH (t:Trial {nct_id: 'NCT09000001'}) RETURN t.conditions") == [([],)]
    assert one("MATCH (t:Touchpoint {touchpoint_id: 'TP0900'}) RETURN t.insight") == [
        ('Two lines:\nfirst, "second";\r\nand a third',)
    ]
    assert one("MATCH (h:HCP {hcp_id: 'H900'}) RETURN h.name, h.touch_dates, h.specialty") == [
        ("Zoë Ørsted-Nuñez", ["2024-12-01", "2025-03-01"], None)
    ]
    # The 4-author paper is over the cap of 3: its authors are linked by the other paper only.
    assert one(
        "MATCH (a:HCP)-[r:COAUTHORED_WITH]->(b:HCP) WHERE a.hcp_id STARTS WITH 'H90' "
        "RETURN a.hcp_id, b.hcp_id, r.papers"
    ) == [("H900", "H901", 1)]
    assert one("MATCH (s:KolgraphSchema) RETURN s.version") == [(SCHEMA_VERSION,)]


def test_import_tool_load_makes_the_graph_a_normal_load_makes(env, empty, tmp_path):
    bundle = _bundle(tmp_path / "bundle", EXTRA_ROWS, SMALL_BUNDLE)
    follow_up = _bundle(tmp_path / "follow-up", FOLLOW_UP)

    imported = kolgraph(env, "load", str(bundle))
    assert imported.exit_code == 0, imported.output
    assert IMPORT_MESSAGE in imported.output
    assert "neo4j-admin: IMPORT DONE" in imported.output
    _check_edge_rows(empty)
    after_import = graph_snapshot(empty)
    epoch, version = data_version(empty)
    assert kolgraph(env, "export", "bundle", str(tmp_path / "export-import")).exit_code == 0

    later = kolgraph(env, "load", str(follow_up))  # a non-empty database: incremental
    assert later.exit_code == 0, later.output
    assert IMPORT_MESSAGE not in later.output
    after_follow_up = graph_snapshot(empty)
    assert data_version(empty)[0] == epoch and data_version(empty)[1] > version

    empty.execute_query("MATCH (n) DETACH DELETE n", bookmark_manager_=None)
    normal = kolgraph(env, "load", "--no-import-tool", str(bundle))
    assert normal.exit_code == 0, normal.output
    assert IMPORT_MESSAGE not in normal.output
    assert graph_snapshot(empty) == after_import
    assert kolgraph(env, "export", "bundle", str(tmp_path / "export-normal")).exit_code == 0
    assert _files(tmp_path / "export-import") == _files(tmp_path / "export-normal")
    assert kolgraph(env, "load", str(follow_up)).exit_code == 0
    assert graph_snapshot(empty) == after_follow_up


def test_a_failed_import_leaves_the_empty_database_working(env, empty, tmp_path, monkeypatch):
    bundle = _bundle(tmp_path / "bundle", EXTRA_ROWS, SMALL_BUNDLE)
    real_arguments = first_load_module.ImportFiles.arguments

    def broken(files) -> list[str]:  # the tool then fails: a node file that does not exist
        return [*real_arguments(files), f"--nodes=Broken={tmp_path / 'missing.csv'}"]

    with monkeypatch.context() as patched:
        patched.setattr(first_load_module.ImportFiles, "arguments", broken)
        output = _failed_load(env, bundle)
    assert "neo4j-admin database import failed" in output
    assert "missing.csv" in output
    _check_empty_and_working(env, empty)


def test_a_failure_after_the_import_puts_the_empty_database_back(env, empty, tmp_path, monkeypatch):
    bundle = _bundle(tmp_path / "bundle", EXTRA_ROWS, SMALL_BUNDLE)

    def failing(_store) -> None:
        raise Neo4jServerError("constraints could not be made (test)")

    monkeypatch.setattr(Neo4jStore, "create_schema", failing)
    output = _failed_load(env, bundle)
    assert "putting the empty database back" in output
    assert "constraints could not be made (test)" in output
    _check_empty_and_working(env, empty)


def test_a_server_not_starting_on_the_import_puts_the_empty_database_back(
    env, empty, tmp_path, monkeypatch
):
    bundle = _bundle(tmp_path / "bundle", EXTRA_ROWS, SMALL_BUNDLE)
    real_start = server.start
    starts: list[int] = []

    def first_start_fails(*args, **kwargs):
        starts.append(1)
        if len(starts) == 1:
            raise Neo4jServerError("Neo4j did not start (test)")
        return real_start(*args, **kwargs)

    monkeypatch.setattr(server, "start", first_start_fails)
    output = _failed_load(env, bundle)
    assert "Neo4j did not start (test)" in output
    assert len(starts) == 2
    _check_empty_and_working(env, empty)


def test_only_the_local_server_of_the_home_folder_is_imported_into(local):
    found = local_server(local)
    assert found is not None and found.directory == local_server_dir(local.home).resolve()
    port = local.neo4j.uri.rsplit(":", 1)[1]
    for uri in (f"neo4j://example.org:{port}", f"neo4j://127.0.0.1:{free_port()}"):
        elsewhere = Settings(
            backend="neo4j", home=local.home, neo4j=Neo4jSettings(uri=uri, password="x")
        )
        assert local_server(elsewhere) is None
    assert local_server(Settings(backend="neo4j", home=local.home.parent / "other")) is None
    opted_out = Settings(backend="neo4j", home=local.home, neo4j=local.neo4j, import_tool=False)
    assert local_server(opted_out) is None


def test_an_index_kolgraph_did_not_make_keeps_the_load_on_bolt(local, empty, tmp_path):
    bundle = _bundle(tmp_path / "bundle", {}, SMALL_BUNDLE)
    empty.execute_query(
        "CREATE INDEX someone_elses IF NOT EXISTS FOR (n:Thing) ON (n.key)", bookmark_manager_=None
    )
    notes: list[str] = []
    try:
        store = Neo4jStore.open(local)
        assert store.local_server is not None
        store.local_server.notify = notes.append
        load_path(bundle, store)
        store.close()
    finally:
        empty.execute_query("DROP INDEX someone_elses IF EXISTS", bookmark_manager_=None)
    assert notes == ["the database holds indexes kolgraph did not make: loading through Bolt"]
    assert _node_count(empty) > 0
