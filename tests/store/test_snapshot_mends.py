"""A server mends the snapshots it keeps in memory after a steward correction (the
correction's HCPs read again, the rest carried over) instead of reading them whole: the
search index and the gaps snapshot, on both stores.  Mended, each is what a whole read
gives; a touchpoint write beside a correction is followed as well; any other write that
changes an HCP (a rescore), or deltas that are gone, means a whole read."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from gap_frames import AS_OF, assert_same_gaps
from random_corrections import correct_at_random
from sample import frame, sample_batch
from shared_data import SHARED_DATA
from store_kinds import open_test_store

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store import GraphStore, gap_snapshot, search_index
from kolgraph.store.common import Fetch
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import touch_deltas
from kolgraph.store.sqlite.catalog import json_list

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


@pytest.fixture(params=["embedded-server", pytest.param("neo4j-server", marks=pytest.mark.neo4j)])
def server(request, tmp_path) -> Iterator[GraphStore]:
    """An empty store keeping its snapshots, as ``kolgraph serve`` does."""
    opened = open_test_store(request, tmp_path)
    yield opened
    opened.close()


def whole_fetch(store: GraphStore) -> Fetch:
    """The store's statements, for a snapshot read whole beside the one it keeps."""
    if isinstance(store, Neo4jStore):
        return store._fetch_rows

    def fetch(name: str, params: dict | tuple = ()) -> list[tuple]:
        listed = {k: json_list(v) for k, v in dict(params).items()}
        return store.select(name, "read a snapshot whole", listed)

    return fetch


def mends_of(monkeypatch, module) -> list[list[str]]:
    """The HCPs of each call of ``module.mended`` (a snapshot mended), from now on."""
    calls: list[list[str]] = []
    mend = module.mended

    def counted(value, hcp_ids, fetch):
        calls.append(hcp_ids)
        return mend(value, hcp_ids, fetch)

    monkeypatch.setattr(module, "mended", counted)
    return calls


# --- the search index -------------------------------------------------------------------------


def meaning(index: search_index.SearchIndex) -> tuple:
    """What an index answers from, whatever the order it was built in."""
    names = index.names
    texts = names.text.split(search_index.UNIT_SEPARATOR)[:-1]
    return (
        index.hcps,
        dict(zip(names.ids, texts)),
        index.specialties,
        index.institutions,
        index.topics,
    )


def assert_index_as_read(store: GraphStore) -> None:
    held = store.reads._search_index()
    assert held is not None
    assert meaning(held) == meaning(search_index.read_index(whole_fetch(store)))


@pytest.fixture
def search_mends(monkeypatch) -> list[list[str]]:
    return mends_of(monkeypatch, search_index)


def test_a_rescore_after_a_correction_means_a_whole_read(server, search_mends, tmp_path):
    server.load(sample_batch())
    rescore(server, tmp_path)
    server.reads.search_rows("lovelace", None, 10)
    server.merge_hcps("H3", "H1")
    rescore(server, tmp_path)
    assert_index_as_read(server)
    assert search_mends == []


# --- the gaps snapshot ------------------------------------------------------------------------


def assert_gaps_as_read(store: GraphStore) -> None:
    held = store.reads._gap_frames()
    assert held is not None
    assert_same_gaps(held, gap_snapshot.read_frames(whole_fetch(store)))


def test_touchpoints_logged_around_a_correction_are_followed_too(server, monkeypatch, tmp_path):
    """A touchpoint of other HCPs before and after a merge, then one read: followed, then
    mended."""
    server.load(sample_batch())
    rescore(server, tmp_path, as_of=AS_OF)
    server.reads._gap_frames()
    gap_mends = mends_of(monkeypatch, gap_snapshot)
    for touchpoint_id, hcp_id in (("TP-BEFORE", "H2"), ("TP-AFTER", "H5")):
        row = (touchpoint_id, "M1", hcp_id, "2024-06-29", "phone", None, None, None, None)
        server.load({"touchpoints": frame("touchpoints", [row])})
        if touchpoint_id == "TP-BEFORE":
            server.merge_hcps("H3", "H1")
    assert_gaps_as_read(server)
    assert gap_mends == [["H1", "H3"]]


# --- both snapshots ---------------------------------------------------------------------------

#: Each snapshot a server mends: its module, a call that reads it, the check against a read,
#: and whether it holds an HCP.
SNAPSHOTS = {
    "search index": (
        search_index,
        lambda store: store.reads.search_rows("cancer", None, 10),
        assert_index_as_read,
        lambda store, hcp_id: hcp_id in store.reads._search_index().hcps,
    ),
    "gaps snapshot": (
        gap_snapshot,
        lambda store: store.reads._gap_frames(),
        assert_gaps_as_read,
        lambda store, hcp_id: hcp_id in store.reads._gap_frames().position,
    ),
}


@pytest.mark.parametrize("kind", sorted(SNAPSHOTS))
def test_a_merge_and_a_split_mend_the_snapshot_to_what_a_read_gives(
    server, monkeypatch, tmp_path, kind
):
    module, read, assert_as_read, holds = SNAPSHOTS[kind]
    server.load(sample_batch())
    rescore(server, tmp_path, as_of=AS_OF)
    read(server)
    mends = mends_of(monkeypatch, module)
    server.merge_hcps("H3", "H1")  # H1's touchpoint is H3's now
    assert_as_read(server)
    assert not holds(server, "H1")
    server.split_hcp("H2", "P3")
    assert_as_read(server)
    assert mends == [["H1", "H3"], ["H2", "H2-split-P3"]]


@pytest.mark.parametrize("kind", sorted(SNAPSHOTS))
def test_corrections_on_real_medline_mend_the_snapshot_as_a_read_would(
    server, monkeypatch, tmp_path, real_data, kind
):
    module, read, assert_as_read, _holds = SNAPSHOTS[kind]
    load_path(MEDLINE, server)
    rescore(server, tmp_path, as_of=AS_OF)
    read(server)
    mends = mends_of(monkeypatch, module)
    rng = random.Random(11)
    for step in range(4):
        correct_at_random(server, rng, split=bool(step % 2))
        assert_as_read(server)
    assert len(mends) == 4


# --- the embedded store's deltas --------------------------------------------------------------


@pytest.mark.parametrize("server", ["embedded-server"], indirect=True)
def test_a_correction_older_than_the_kept_deltas_means_a_whole_read(
    server, search_mends, monkeypatch
):
    monkeypatch.setattr(touch_deltas, "KEPT_DELTAS", 1)
    server.load(sample_batch())
    server.reads.search_rows("lovelace", None, 10)
    server.merge_hcps("H3", "H1")
    server.split_hcp("H2", "P3")  # drops the merge's delta
    assert_index_as_read(server)
    assert search_mends == []
