"""A first load into an embedded store holding no data: written beside the store's file with no
journal, then renamed into its place (:mod:`kolgraph.store.sqlite.first_load`)."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest
from killed_load import load_paused_mid_write
from sample import FOLLOWUP_COAUTHORSHIPS, SAMPLE_STATS, followup_batch, rows, sample_batch

from kolgraph.errors import StoreUnavailable
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore
from kolgraph.store.sqlite.first_load import ASIDE_SUFFIX
from kolgraph.territories import Alignment, Rule


def inode(home: Path) -> int:
    return (home / DB_FILENAME).stat().st_ino


def file_rows(home: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the file, sorted, but the version counter's."""
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        names = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
            if name != "store_version"
        ]
        return {name: sorted(con.execute(f"SELECT * FROM {name}"), key=repr) for name in names}
    finally:
        con.close()


def journal_mode(home: Path) -> str:
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        return con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


def test_a_first_load_takes_the_place_of_the_file_with_the_usual_tables(tmp_path):
    aside, usual = tmp_path / "aside", tmp_path / "usual"
    with EmbeddedStore(aside) as store:
        before = inode(aside)
        store.load(sample_batch())
        assert inode(aside) != before  # a new file
        assert store.is_current()
        assert store.stats() == SAMPLE_STATS
        replaced = inode(aside)
        store.load(followup_batch())  # the next load: the usual way, on the new file
        assert inode(aside) == replaced
    with EmbeddedStore(usual) as store, EmbeddedStore(usual):  # two open: the usual way
        before = inode(usual)
        store.load(sample_batch())
        assert inode(usual) == before
        store.load(followup_batch())
    assert file_rows(aside) == file_rows(usual)
    assert rows(EmbeddedStore(aside).table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS
    assert journal_mode(aside) == "wal"
    assert (aside / DB_FILENAME).stat().st_mode & 0o777 == 0o600
    assert not (aside / (DB_FILENAME + ASIDE_SUFFIX)).exists()


def test_what_the_empty_store_held_is_kept(tmp_path):
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.set_alignment(Alignment((Rule(2, "Boston area", "US", "MA", ""),), override=True))
        _, version, stamp = store.data_version().split(":")
        store.load(sample_batch())
        _, loaded, loaded_stamp = store.data_version().split(":")
        assert int(loaded) == int(version) + 1 and loaded_stamp != stamp  # counted, stamped
        assert store.alignment() is not None
        territories = set(store.table("hcps")["territory"])
    assert territories == {"Boston area"}  # the rules applied to the first load's HCPs


def test_a_store_open_elsewhere_is_loaded_the_usual_way(tmp_path):
    home = tmp_path / "home"
    with EmbeddedStore(home) as reader, EmbeddedStore(home) as writer:
        before = inode(home)
        writer.load(sample_batch())
        assert inode(home) == before
        assert reader.is_current() and reader.stats() == SAMPLE_STATS
    assert journal_mode(home) == "wal"


def test_a_failed_first_load_leaves_the_empty_store(tmp_path):
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        before = inode(home)

        def interrupted(_rows):
            raise RuntimeError("interrupted")

        with pytest.raises(RuntimeError):
            store.load(sample_batch(), progress=interrupted)
        assert inode(home) == before
        assert not (home / (DB_FILENAME + ASIDE_SUFFIX)).exists()
        assert journal_mode(home) == "wal"
        assert sum(store.stats()["nodes"].values()) == 0
        store.load(sample_batch())  # and it can still be loaded
        assert store.stats() == SAMPLE_STATS


def test_a_killed_first_load_leaves_an_empty_store_a_load_can_fill(tmp_path):
    home = tmp_path / "home"
    EmbeddedStore(home).close()
    with load_paused_mid_write(home) as loader:  # a chunk is written into the new file
        assert (home / (DB_FILENAME + ASIDE_SUFFIX)).exists()
        with pytest.raises(StoreUnavailable, match="locked by another process"):
            EmbeddedStore(home, timeout=0.2)  # the store's file is held meanwhile
    assert loader.returncode == -signal.SIGKILL
    assert journal_mode(home) == "delete"  # where the kill left it
    assert (home / (DB_FILENAME + ASIDE_SUFFIX)).exists()
    with EmbeddedStore(home) as store:  # opening puts it back in WAL mode, removes the rest
        assert journal_mode(home) == "wal"
        assert not (home / (DB_FILENAME + ASIDE_SUFFIX)).exists()
        assert sum(store.stats()["nodes"].values()) == 0
        store.load(sample_batch())
        assert store.stats() == SAMPLE_STATS
    assert not (home / (DB_FILENAME + ASIDE_SUFFIX)).exists()


def test_a_process_holding_a_replaced_file_is_told_so_and_writes_nothing(tmp_path):
    home, other = tmp_path / "home", tmp_path / "other"
    with EmbeddedStore(home) as stale:
        with EmbeddedStore(other) as store:
            store.load(sample_batch())
        (other / DB_FILENAME).replace(home / DB_FILENAME)  # as a first load elsewhere does
        with pytest.raises(StoreUnavailable, match="was replaced since this process opened it"):
            stale.load(followup_batch())
    with EmbeddedStore(home) as store:
        assert store.stats() == SAMPLE_STATS
