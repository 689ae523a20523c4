"""The web app on Neo4j: answers are cached under the store's data version, reused while the
data is unchanged and recomputed after any write, also one made by another connection (a CLI
load while the server runs)."""

from __future__ import annotations

import gc
from datetime import date

import pytest
from web_data import BUNDLE

from kolgraph.config import Neo4jSettings, Settings
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.web import create_app

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo4j_settings(neo4j_server, neo4j_clean) -> Neo4jSettings:
    return Neo4jSettings(
        uri=neo4j_server.uri,
        username=neo4j_server.username,
        password=neo4j_server.password,
        database=neo4j_server.database,
    )


@pytest.fixture
def neo4j_app(home, neo4j_settings):
    with Neo4jStore.connect(neo4j_settings) as store:
        load_path(BUNDLE, store)
        rescore(store, home)
    settings = Settings(backend="neo4j", home=home, neo4j=neo4j_settings)
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "KOLGRAPH_VERSION_POLL_SECONDS": 0}
    return create_app(config, settings=settings)


def test_gaps_are_computed_once_per_data_version(
    neo4j_app, neo4j_settings, password, monkeypatch, tmp_path
):
    computed = []
    real = Neo4jStore.coverage_gaps

    def counted(self, query):
        computed.append(query)
        return real(self, query)

    monkeypatch.setattr(Neo4jStore, "coverage_gaps", counted)
    client = neo4j_app.test_client()
    assert client.post("/login", data={"username": "max", "password": password}).status_code == 302
    first = client.get("/gaps").get_data(as_text=True)
    assert 'data-hcp-id="H04"' in first and len(computed) == 1
    assert client.get("/gaps").get_data(as_text=True).count("data-hcp-id") == first.count(
        "data-hcp-id"
    )
    assert len(computed) == 1  # served from the cache
    visit = tmp_path / "visit"
    visit.mkdir()
    (visit / "touchpoints.csv").write_text(
        f"touchpoint_id,msl_id,hcp_id,date\nTPNEW,M2,H04,{date.today().isoformat()}\n"
    )
    with Neo4jStore.connect(neo4j_settings) as other:  # another process's write
        load_path(visit, other)
    assert 'data-hcp-id="H04"' not in client.get("/gaps").get_data(as_text=True)
    assert len(computed) == 2


def test_a_version_read_is_reused_for_the_poll_interval_and_not_after_a_write(
    neo4j_settings, monkeypatch
):
    """A web server polls the version: no round trip to learn nothing changed; its own
    writes are seen at once, another connection's once the interval has passed."""
    from kolgraph.store.neo4j import store as neo4j_store

    now = [1000.0]
    monkeypatch.setattr(neo4j_store.time, "monotonic", lambda: now[0])
    with Neo4jStore.connect(neo4j_settings) as web, Neo4jStore.connect(neo4j_settings) as cli:
        web.version_poll_seconds = 1.0
        reads = []
        real_read = web.read
        monkeypatch.setattr(
            web, "read", lambda name, **p: reads.append(name) or real_read(name, **p)
        )
        first = web.data_version()
        assert web.data_version() == first and reads.count("read_data_version") == 1
        cli.execute(
            "bump_versions", network=0, hcps=0, corrected=[], touched=[]
        )  # another process writes
        assert web.data_version() == first  # not asked yet: within the interval
        now[0] += 1.5
        second = web.data_version()
        assert second != first and reads.count("read_data_version") == 2
        web.execute(
            "bump_versions", network=0, hcps=0, corrected=[], touched=[]
        )  # its own write: seen at once
        assert web.data_version() != second


def test_the_server_warm_up_pulls_the_coauthorships_once_for_every_worker(
    neo4j_app, password, monkeypatch
):
    """``kolgraph serve`` warms up before its workers fork, and closes that store first (a
    driver must not cross a fork): each worker's store takes its caches over, so the first
    gaps page does not pull every co-authorship again (a minute at L, per worker)."""
    from kolgraph.serving import warm_up
    from kolgraph.store.neo4j.reads import Neo4jReads

    pulls = []
    real = Neo4jReads._read_hop_arrays

    def counted(self):
        pulls.append(self)
        return real(self)

    monkeypatch.setattr(Neo4jReads, "_read_hop_arrays", counted)
    try:
        warm_up(neo4j_app, echo=lambda _text: None)
    finally:
        gc.unfreeze()  # the warm-up freezes what it built; the tests go on in this process
    assert len(pulls) == 1
    client = neo4j_app.test_client()
    assert client.post("/login", data={"username": "max", "password": password}).status_code == 302
    assert 'data-hcp-id="H04"' in client.get("/gaps").get_data(as_text=True)
    assert len(pulls) == 1  # the app's own store took the warm-up's over
