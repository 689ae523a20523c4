"""A first load's kept arrays (path graph, authorships in numbers) made from its batch
(:mod:`kolgraph.store.sqlite.batch_numbers`): the same arrays as read back from the store."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sample import sample_batch
from shared_data import SHARED_DATA, require_shared_data

from kolgraph.generate import generate_bundle
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore, network_file
from kolgraph.store.sqlite.store import _KEPT_KINDS, CACHE_FOLDER

AS_OF = date(2026, 6, 30)
KINDS = {"network": network_file.read_arrays, "authorships": network_file.read_authorship_numbers}


def kept_now(store: EmbeddedStore) -> dict[str, object]:
    """The kept arrays of the store's current data version, as files hold them (none: {})."""
    state = store._store_state()
    found = {}
    for kind, cls in _KEPT_KINDS.items():
        arrays = network_file.read(store._kept_folder(kind, state), cls)
        if arrays is not None:
            found[kind] = arrays
    return found


def read_back(home: Path) -> dict[str, object]:
    """The kept arrays made from the tables, as after any load."""
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        return {kind: read(con) for kind, read in KINDS.items()}
    finally:
        con.close()


def assert_same_arrays(made: object, read: object) -> None:
    assert type(made) is type(read)
    for field in fields(made):  # type: ignore[arg-type]
        ours, theirs = getattr(made, field.name), getattr(read, field.name)
        assert ours.dtype == theirs.dtype, field.name
        assert np.array_equal(ours, theirs, equal_nan=ours.dtype.kind == "f"), field.name


def folders(home: Path) -> list[str]:
    cache = home / CACHE_FOLDER
    return sorted(path.name.split("-")[0] for path in cache.iterdir()) if cache.is_dir() else []


def assert_kept_as_read_back(store: EmbeddedStore) -> None:
    kept = kept_now(store)
    assert set(kept) == set(KINDS)  # made by the load, before anything asked for them
    read = read_back(store.path.parent)
    for kind in KINDS:
        assert_same_arrays(kept[kind], read[kind])


def test_the_sample_batch(tmp_path):
    with EmbeddedStore(tmp_path / "home") as store:
        store.load(sample_batch())
        assert_kept_as_read_back(store)
        assert len(kept_now(store)["network"].coauthor_idx) == 12  # six pairs, both ways


def test_the_generators_bundle(tmp_path):
    generate_bundle(tmp_path / "bundle", "S", seed=5, as_of=AS_OF)
    with EmbeddedStore(tmp_path / "home") as store:
        load_path(tmp_path / "bundle", store, today=AS_OF)
        assert_kept_as_read_back(store)


@pytest.mark.parametrize("name", ["medline16n0902.xml.gz", "pubmed20n0014.xml.gz"])
def test_real_medline_files(tmp_path, name):
    require_shared_data()
    with EmbeddedStore(tmp_path / "home") as store:
        load_path(SHARED_DATA / "pubmed" / name, store)
        assert_kept_as_read_back(store)


def test_the_scoring_after_a_first_load_reads_them_from_the_load(tmp_path, monkeypatch):
    generate_bundle(tmp_path / "bundle", "S", seed=6, as_of=AS_OF)
    with EmbeddedStore(tmp_path / "home") as store:
        load_path(tmp_path / "bundle", store, today=AS_OF)
        for name in ("read_arrays", "read_authorship_numbers"):
            monkeypatch.setattr(network_file, name, lambda _con: pytest.fail("read back"))
        scores = rescore(store, tmp_path / "home", as_of=AS_OF)
    assert scores["influence"].notna().all() and len(scores) == 2_000


def test_a_batch_of_ids_that_are_not_text_makes_none(tmp_path):
    batch = sample_batch()
    for name in ("publications", "authorships"):  # stored as text: '10' sorts before '2'
        batch[name] = batch[name].assign(pmid=batch[name]["pmid"].str[1:].astype(int) * 5)
    with EmbeddedStore(tmp_path / "home") as store:
        store.load(batch)
        assert folders(tmp_path / "home") == []
        store.path_graph()  # read back from the tables, as after any load
        assert folders(tmp_path / "home") == ["network"]


def test_a_load_the_usual_way_makes_none(tmp_path):
    with EmbeddedStore(tmp_path / "home") as store, EmbeddedStore(tmp_path / "home"):
        store.load(sample_batch())  # another connection open: not written aside
        assert folders(tmp_path / "home") == []
