"""A Neo4j server mends what it keeps in memory after a steward correction (the correction's
HCPs read again, the rest carried over) instead of reading it whole: the co-author arrays
for reach, as the embedded store mends its path graph files (``test_network_file.py``), and
the search index and the gaps snapshot.  Mended, each is what a whole read gives; any other
write that changes the network (or, for the snapshots, an HCP), or notes that are gone,
means a whole read."""

from __future__ import annotations

import random
from dataclasses import fields

import numpy as np
import pytest
from gap_frames import AS_OF, assert_same_gaps
from random_corrections import correct_at_random
from sample import sample_batch
from shared_data import SHARED_DATA

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store import gap_snapshot, mended_arrays, search_index
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.reach_arrays import HopArrays

pytestmark = pytest.mark.neo4j

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


@pytest.fixture
def server(neo4j_clean, neo4j_server):
    opened = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    opened.keep_snapshots()
    yield opened
    opened.close()


class Counted:
    """Counts the arrays pulled whole and mended."""

    def __init__(self, monkeypatch, store: Neo4jStore):
        self.pulls = self.mends = 0
        reads = store.reads
        pull, mend = reads._read_hop_arrays, mended_arrays.mended

        def counted_pull():
            self.pulls += 1
            return pull()

        def counted_mend(*args):
            self.mends += 1
            return mend(*args)

        monkeypatch.setattr(reads, "_read_hop_arrays", counted_pull)
        monkeypatch.setattr("kolgraph.store.neo4j.reads.mended", counted_mend)


def assert_as_pulled(store: Neo4jStore) -> None:
    held = store.reads._hop_arrays()
    pulled = store.reads._read_hop_arrays()
    for field in fields(HopArrays):
        found, expected = getattr(held, field.name), getattr(pulled, field.name)
        assert found.dtype == expected.dtype, field.name
        assert np.array_equal(found, expected), field.name


def test_a_merge_and_a_split_mend_the_arrays_to_what_a_pull_gives(server, monkeypatch):
    server.load(sample_batch())
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    server.merge_hcps("H3", "H1")
    assert_as_pulled(server)
    assert "H1" not in server.reads._hop_arrays().hcp_ids
    server.split_hcp("H2", "P3")
    assert_as_pulled(server)
    assert counted.mends == 2
    assert counted.pulls == 2  # assert_as_pulled's own


def test_two_corrections_in_a_row_are_mended_at_once(server, monkeypatch):
    server.load(sample_batch())
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    server.merge_hcps("H3", "H1")
    server.split_hcp("H2", "P3")
    assert_as_pulled(server)
    assert (counted.mends, counted.pulls) == (1, 1)


def test_another_network_write_between_means_a_pull(server, monkeypatch):
    batch = sample_batch()
    server.load(batch)
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    server.merge_hcps("H3", "H1")
    server.load({"affiliations": batch["affiliations"]})
    server.reads._hop_arrays()
    assert (counted.mends, counted.pulls) == (0, 1)


def test_notes_of_writes_long_past_mean_a_pull(server, monkeypatch):
    server.load(sample_batch())
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    server.merge_hcps("H3", "H1")
    server.execute("delete_old_network_mends", keep=0)
    server.reads._hop_arrays()
    assert (counted.mends, counted.pulls) == (0, 1)


def test_corrections_on_real_medline_mend_the_arrays_as_a_pull_would(
    server, monkeypatch, real_data
):
    """Random merges and splits of authors of ``medline16n0902.xml.gz``, each checked
    against the arrays pulled whole."""
    load_path(MEDLINE, server)
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    rng = random.Random(7)
    for step in range(6):
        correct_at_random(server, rng, split=bool(step % 2))
        assert_as_pulled(server)
    assert (counted.mends, counted.pulls) == (6, 6)


def test_a_split_off_hcp_with_no_link_is_not_in_the_arrays_as_in_a_pull(
    server, monkeypatch, real_data
):
    """A paper its author wrote alone, split off: the new HCP has no co-author and no
    institution, so a pull leaves it out of the arrays; so does the mend."""
    load_path(MEDLINE, server)
    server.reads._hop_arrays()
    authored = server.table("authorships")
    alone = authored.groupby("pmid")["hcp_id"].transform("size") == 1
    papers = authored.groupby("hcp_id")["pmid"].transform("size")
    hcp_id, pmid = authored[alone & (papers > 1)].sort_values("pmid").iloc[0][["hcp_id", "pmid"]]
    counted = Counted(monkeypatch, server)
    new_id = server.split_hcp(hcp_id, [pmid]).other_id
    assert new_id not in server.reads._hop_arrays().hcp_ids
    assert_as_pulled(server)
    assert counted.mends == 1


def test_a_note_left_from_a_wiped_database_is_not_counted(server, neo4j_clean, monkeypatch):
    """A wipe that kept the notes: the database's new epoch counts network writes from the
    start again, and a note of the old epoch must not pass for one of its writes."""
    batch = sample_batch()
    server.load(batch)
    server.reads._hop_arrays()
    counted = Counted(monkeypatch, server)
    (before,) = server.read("read_data_version")
    server.load({"affiliations": batch["affiliations"]})  # network writes with no note
    (after,) = server.read("read_data_version")
    neo4j_clean.execute_query(
        "UNWIND range($first, $last) AS network "
        "CREATE (:NetworkMend {epoch: 'an older database', network: network, hcp_ids: ['H1']})",
        first=before["network"] + 1,
        last=after["network"],
    )
    server.reads._hop_arrays()
    assert (counted.mends, counted.pulls) == (0, 1)


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


def assert_index_as_read(store: Neo4jStore) -> None:
    held = store.snapshot(
        "search index", search_index.read_index, lambda v, _c, _f: v, search_index.mended
    )
    assert held is not None and meaning(held) == meaning(search_index.read_index(store._fetch_rows))


def mends_of(monkeypatch, module) -> list[list[str]]:
    """The HCPs of each call of ``module.mended`` (a snapshot mended), from now on."""
    calls: list[list[str]] = []
    mend = module.mended

    def counted(value, hcp_ids, fetch):
        calls.append(hcp_ids)
        return mend(value, hcp_ids, fetch)

    monkeypatch.setattr(module, "mended", counted)
    return calls


@pytest.fixture
def search_mends(monkeypatch) -> list[list[str]]:
    return mends_of(monkeypatch, search_index)


def test_a_merge_and_a_split_mend_the_search_index_to_what_a_read_gives(
    server, search_mends, tmp_path
):
    server.load(sample_batch())
    rescore(server, tmp_path)
    assert server.reads.search_rows("lovelace", None, 10)  # the server's index, read whole
    server.merge_hcps("H3", "H1")
    assert_index_as_read(server)
    assert not server.reads.search_rows("lovelace", None, 10)  # H1 is gone
    server.split_hcp("H2", "P3")
    assert_index_as_read(server)
    assert search_mends == [["H1", "H3"], ["H2", "H2-split-P3"]]


def test_a_rescore_after_a_correction_means_a_whole_read(server, search_mends, tmp_path):
    server.load(sample_batch())
    rescore(server, tmp_path)
    server.reads.search_rows("lovelace", None, 10)
    server.merge_hcps("H3", "H1")
    rescore(server, tmp_path)
    assert_index_as_read(server)
    assert search_mends == []


# --- the gaps snapshot ------------------------------------------------------------------------


def assert_gaps_as_read(store: Neo4jStore) -> None:
    held = store.reads._gap_frames()
    assert held is not None
    assert_same_gaps(held, gap_snapshot.read_frames(store._fetch_rows))


@pytest.fixture
def gap_mends(monkeypatch) -> list[list[str]]:
    return mends_of(monkeypatch, gap_snapshot)


def test_a_merge_and_a_split_mend_the_gaps_snapshot_to_what_a_read_gives(
    server, gap_mends, tmp_path
):
    server.load(sample_batch())
    rescore(server, tmp_path, as_of=AS_OF)
    server.reads._gap_frames()
    server.merge_hcps("H3", "H1")  # H1's touchpoint is H3's now
    assert_gaps_as_read(server)
    assert "H1" not in server.reads._gap_frames().position
    server.split_hcp("H2", "P3")
    assert_gaps_as_read(server)
    assert gap_mends == [["H1", "H3"], ["H2", "H2-split-P3"]]


# --- both snapshots on real data --------------------------------------------------------------

#: Each snapshot a server mends: its module, a call that reads it, the check against a read.
SNAPSHOTS = {
    "search index": (
        search_index,
        lambda store: store.reads.search_rows("cancer", None, 10),
        assert_index_as_read,
    ),
    "gaps snapshot": (gap_snapshot, lambda store: store.reads._gap_frames(), assert_gaps_as_read),
}


@pytest.mark.parametrize("kind", sorted(SNAPSHOTS))
def test_corrections_on_real_medline_mend_the_snapshot_as_a_read_would(
    server, monkeypatch, tmp_path, real_data, kind
):
    module, read, assert_as_read = SNAPSHOTS[kind]
    load_path(MEDLINE, server)
    rescore(server, tmp_path, as_of=AS_OF)
    read(server)
    mends = mends_of(monkeypatch, module)
    rng = random.Random(11)
    for step in range(4):
        correct_at_random(server, rng, split=bool(step % 2))
        assert_as_read(server)
    assert len(mends) == 4
