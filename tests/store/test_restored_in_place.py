"""A backup copied over the embedded store's file in place (same inode, same epoch, an older
version), then written up to a version the replaced file had reached: what was kept of the
replaced file (array folders, in-memory caches, the data version) is not taken for it."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from counting import backup_of, restore_in_place
from numpy.testing import assert_array_equal
from sample import HCP_ROWS, TOUCHPOINT_ROWS, followup_batch, frame, sample_batch

from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore, network_file
from kolgraph.store.sqlite import store as store_module


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    """This process's caches start empty and are dropped after the test."""
    monkeypatch.setattr(store_module, "_caches", {})


def touchpoint(touchpoint_id: str) -> dict:
    """A load of one touchpoint: it changes nothing the kept arrays hold."""
    row = (touchpoint_id, "M1", "H5", "1999-06-01", *TOUCHPOINT_ROWS[0][4:])
    return {"touchpoints": frame("touchpoints", [row])}


def new_hcp(hcp_id: str) -> dict:
    return {"hcps": frame("hcps", [(hcp_id, *HCP_ROWS[0][1:])])}


def assert_same_arrays(held: object, built: object) -> None:
    for field in dataclasses.fields(held):  # type: ignore[arg-type]
        assert_array_equal(getattr(held, field.name), getattr(built, field.name), field.name)


def test_the_kept_arrays_of_the_replaced_file_are_not_read(tmp_path):
    """Backup, one more load, the backup copied back, a load: scoring and paths read the
    restored data's arrays, not the replaced file's kept under the same version."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        backup = backup_of(store)
        store.load(followup_batch())
        store.path_graph(), store.authorship_numbers()  # kept for the replaced file
    restore_in_place(home / DB_FILENAME, backup)
    store_module._caches.clear()  # a new process
    with EmbeddedStore(home, create=False) as store:
        store.load(touchpoint("T9"))  # the version the replaced file had reached
        graph, numbers = store.path_graph(), store.authorship_numbers()
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        assert "H5" not in graph.coauthors("H1")  # the follow-up's P5 is not restored
        assert_same_arrays(graph, network_file.read_arrays(con))
        assert_same_arrays(numbers, network_file.read_authorship_numbers(con))
    finally:
        con.close()


def test_a_cached_value_of_the_replaced_file_is_not_served(tmp_path):
    """In one process (a server reopening the file), a value cached of the replaced file is
    not served for the restored one at the same version."""
    home = tmp_path / "home"

    def hcp_ids(fetch) -> set[str]:
        return {hcp_id for (hcp_id,) in fetch("list_hcp_ids")}

    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        backup = backup_of(store)
        store.load(new_hcp("H-REPLACED"))
        assert "H-REPLACED" in store.cached("ids", hcp_ids)
    restore_in_place(home / DB_FILENAME, backup)
    with EmbeddedStore(home, create=False) as store:
        store.load(new_hcp("H-RESTORED"))
        ids = store.cached("ids", hcp_ids)
    assert "H-RESTORED" in ids and "H-REPLACED" not in ids


def test_the_data_version_of_the_restored_file_is_not_the_replaced_one_s(tmp_path):
    """The web's answer cache keys on the data version: it must differ."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        backup = backup_of(store)
        store.load(new_hcp("H-REPLACED"))
        replaced = store.data_version()
    restore_in_place(home / DB_FILENAME, backup)
    with EmbeddedStore(home, create=False) as store:
        store.load(new_hcp("H-RESTORED"))
        assert store.data_version() != replaced
