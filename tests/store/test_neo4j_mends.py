"""A Neo4j server mends the co-author arrays for reach after a steward correction (the
correction's HCPs read again, the rest carried over) instead of reading them whole, as the
embedded store mends its path graph files (``test_network_file.py``).  Mended, they are
what a whole read gives; any other write that changes the network, or notes that are gone,
means a whole read.  The snapshots both stores mend: ``test_snapshot_mends.py``."""

from __future__ import annotations

import random
from dataclasses import fields

import numpy as np
import pytest
from random_corrections import correct_at_random
from sample import sample_batch
from shared_data import SHARED_DATA

from kolgraph.loading import load_path
from kolgraph.store import mended_arrays
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
