"""Every store keeps a data version that every write changes and no read does, also when the
write comes from another connection: the web's answer cache relies on it (web/cache.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sample import sample_batch

from kolgraph.answers.changes import History
from kolgraph.answers.gaps import GapQuery
from kolgraph.config import Neo4jSettings
from kolgraph.scoring import rescore
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.territories import read_alignment

AS_OF = date(2024, 6, 30)


def changed_by(store, write) -> bool:
    before = store.data_version()
    write()
    return store.data_version() != before


def test_every_write_changes_the_version_and_reads_do_not(store, tmp_path):
    assert store.data_version() is not None
    assert changed_by(store, lambda: store.load(sample_batch()))
    scores = rescore(store, tmp_path, as_of=AS_OF)
    assert changed_by(store, lambda: store.write_scores(scores))
    assert changed_by(store, lambda: store.record_history(AS_OF, History(), scores))
    rules = tmp_path / "rules.csv"
    rules.write_text("territory,country,state,postal_code\nEverywhere,,,\n")
    assert changed_by(store, lambda: store.set_alignment(read_alignment(rules)))
    assert changed_by(store, lambda: store.merge_hcps("H1", "H6"))
    assert changed_by(store, lambda: store.split_hcp("H1", "P1"))
    assert not changed_by(store, lambda: store.table("hcps"))
    assert not changed_by(store, lambda: store.coverage_gaps(GapQuery(as_of=AS_OF)))
    assert not changed_by(store, lambda: store.scores())


@pytest.fixture
def second_connection(store, tmp_path, request):
    """Another store on the same database, as another process (a CLI load) has."""
    if isinstance(store, EmbeddedStore):
        other = EmbeddedStore(store.path.parent)
    else:
        server = request.getfixturevalue("neo4j_server")
        settings = Neo4jSettings(
            uri=server.uri,
            username=server.username,
            password=server.password,
            database=server.database,
        )
        other = Neo4jStore.connect(settings)
    yield other
    other.close()


def test_a_write_through_another_connection_changes_the_version(store, second_connection):
    before = store.data_version()
    second_connection.load(sample_batch())
    assert store.data_version() != before
