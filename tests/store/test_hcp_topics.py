"""Each HCP's MeSH terms (``hcp_topics``) made from a big first load's batch by numpy are the
rows the store's SQL derivation makes from the stored tables, on generated and real data
(made small enough for a test by lowering the size from which the batch is used)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from shared_data import SHARED_DATA

from kolgraph.generate import generate_bundle
from kolgraph.hcp_topics import hcp_topic_rows
from kolgraph.loading import load_path
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore
from kolgraph.store.sqlite import load as load_module

# The same rows as sql/insert_all_hcp_topics.sql, as an independent SELECT.
DERIVED_IN_SQL = """
SELECT DISTINCT a.hcp_id, t.value
FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid, json_each(p.mesh_terms) AS t
"""


def _stored_and_derived(home: Path) -> tuple[set[tuple], set[tuple]]:
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        stored = set(con.execute("SELECT hcp_id, term FROM hcp_topics").fetchall())
        return stored, set(con.execute(DERIVED_IN_SQL).fetchall())
    finally:
        con.close()


def _first_load(source: Path, home: Path, monkeypatch, **kwargs) -> None:
    """Load ``source`` into a new store, checking that the batch's rows were used."""
    made = []

    def recorded(*args):
        made.append(hcp_topic_rows(*args))
        return made[-1]

    monkeypatch.setattr(load_module, "hcp_topic_rows", recorded)
    monkeypatch.setattr(load_module, "TOPICS_FROM_BATCH", 1)  # small data: the SQL path otherwise
    with EmbeddedStore(home) as store:
        load_path(source, store, **kwargs)
    assert len(made) == 1 and len(made[0])


def test_a_generated_first_load_keeps_the_terms_sql_derives(tmp_path, monkeypatch):
    as_of = date(2024, 6, 30)
    generate_bundle(tmp_path / "bundle", "S", seed=3, as_of=as_of)
    _first_load(tmp_path / "bundle", tmp_path / "home", monkeypatch, today=as_of)
    stored, derived = _stored_and_derived(tmp_path / "home")
    assert stored == derived and len(stored) > 1_000


@pytest.mark.usefixtures("real_data")
def test_a_real_medline_first_load_keeps_the_terms_sql_derives(tmp_path, monkeypatch):
    source = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"
    _first_load(source, tmp_path / "home", monkeypatch)
    stored, derived = _stored_and_derived(tmp_path / "home")
    assert stored == derived and len(stored) > 1_000


def test_chunks_of_authorships_make_the_same_rows(monkeypatch):
    authorships = pd.DataFrame(
        {"pmid": ["1", "2", "2", "3", "1", "4"], "hcp_id": ["b", "a", "b", "a", "c", "c"]}
    )
    publications = pd.DataFrame(
        {
            "pmid": ["1", "2", "3", "4"],
            "mesh_terms": [["Z", "Y", "Z"], ["Y"], [], ["Ä", "Y"]],
        }
    )
    whole = hcp_topic_rows(authorships, publications).values.tolist()
    for size in (1, 2, 3):  # 1 and 2: every HCP has more authorships than a chunk holds
        monkeypatch.setattr("kolgraph.hcp_topics.CHUNK_AUTHORSHIPS", size)
        assert hcp_topic_rows(authorships, publications).values.tolist() == whole
    assert whole == [["a", "Y"], ["b", "Y"], ["b", "Z"], ["c", "Y"], ["c", "Z"], ["c", "Ä"]]
