"""What only the embedded store promises: crash safety, its refresh paths, scores, file errors."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from killed_load import load_paused_mid_write
from layouts import look_like_layout_7, look_like_layout_11, look_like_layout_12
from sample import (
    FOLLOWUP_COAUTHORSHIPS,
    SAMPLE_COAUTHORSHIPS,
    SAMPLE_STATS,
    expected_coauthorships,
    expected_last_authors,
    followup_batch,
    frame,
    rows,
    sample_batch,
)

import kolgraph.store.sqlite.load as embedded_load
from kolgraph.errors import InputError, StoreUnavailable
from kolgraph.schema import SCORE_COLUMNS
from kolgraph.store.sqlite import DB_FILENAME, SCHEMA_VERSION, EmbeddedStore


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def loaded(home):
    """An embedded store holding the sample."""
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        yield store


def all_rows(store) -> dict[str, set[tuple]]:
    names = [*sample_batch(), "coauthorships"]
    return {name: rows(store.table(name)) for name in names}


# --- the file --------------------------------------------------------------------------------


def test_the_database_is_created_in_wal_mode_with_a_version(home):
    EmbeddedStore(home).close()
    con = sqlite3.connect(home / DB_FILENAME)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_state_survives_reopening(loaded, home):
    before = all_rows(loaded)
    loaded.close()
    with EmbeddedStore(home) as again:
        assert again.stats() == SAMPLE_STATS
        assert all_rows(again) == before


# --- derived data: the incremental refresh equals the full one -------------------------------


@pytest.mark.parametrize("share", [0.0, float("inf")], ids=["always-full", "always-incremental"])
def test_both_refresh_paths_match_a_full_recomputation(home, monkeypatch, share):
    monkeypatch.setattr(embedded_load, "FULL_REFRESH_SHARE", share)
    rng = random.Random(7)
    hcps = [f"H{i}" for i in range(1, 13)]
    pmids: list[str] = []
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS
        store.load(followup_batch())
        assert rows(store.table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS
        for step in range(12):
            pmids.append(f"X{step}")
            touched = rng.sample(pmids + ["P1", "P3"], min(2, len(pmids)))
            authorships = [
                (p, h, pos)
                for p in touched
                for h, pos in zip(rng.sample(hcps, 4), rng.sample(range(1, 20), 4))
            ]
            store.load(
                {
                    "publications": frame(
                        "publications",
                        [
                            (p, "t", None, rng.randint(1990, 2024), rng.sample(TERMS, 2), None)
                            for p in touched
                        ],
                    ),
                    "authorships": frame("authorships", authorships),
                }
            )
            auth, pubs = store.table("authorships"), store.table("publications")
            assert rows(store.table("coauthorships")) == expected_coauthorships(auth, pubs)
            last = {(p, h) for p, h, _, flag in rows(auth) if flag}
            assert last == expected_last_authors(auth)
            assert stored_topics(store) == expected_topics(auth, pubs)


TERMS = ["Neoplasms", "Humans", "Heart Diseases", "Lung"]


def stored_topics(store: EmbeddedStore) -> set[tuple[str, str]]:
    return set(store.con.execute("SELECT hcp_id, term FROM hcp_topics").fetchall())


def expected_topics(authorships: pd.DataFrame, publications: pd.DataFrame) -> set[tuple]:
    """Each HCP's MeSH terms over its publications, from the tables."""
    terms = dict(zip(publications["pmid"], publications["mesh_terms"]))
    return {(h, t) for p, h in zip(authorships["pmid"], authorships["hcp_id"]) for t in terms[p]}


# --- atomic loads ---------------------------------------------------------------------------


def test_an_error_mid_load_leaves_the_previous_state(loaded):
    before = all_rows(loaded)

    def fail_after_first_chunk(_rows):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        loaded.load(followup_batch(), progress=fail_after_first_chunk)
    assert all_rows(loaded) == before
    loaded.load(followup_batch())  # and the store is still usable
    assert rows(loaded.table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS


@pytest.mark.slow
def test_a_killed_load_leaves_the_previous_state(loaded, home):
    before = all_rows(loaded)
    loaded.close()
    with load_paused_mid_write(home) as loader:  # a chunk is written: the load is under way
        pass
    assert loader.returncode == -signal.SIGKILL
    with EmbeddedStore(home) as after:
        assert after.stats() == SAMPLE_STATS
        assert all_rows(after) == before
        after.load(followup_batch())
        assert rows(after.table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS


# --- scores --------------------------------------------------------------------------------


def scores_frame(rows_: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows_, columns=list(SCORE_COLUMNS))


def test_scores_round_trip_and_replace_all(loaded):
    loaded.write_scores(
        scores_frame(
            [
                ("H1", 97.5, 1, 1, {"pagerank": 0.4, "papers": 3}, True, 2.5),
                ("H2", 40.0, 3, 2, {}, False, None),
            ]
        )
    )
    got = loaded.scores()
    assert list(got.columns) == list(SCORE_COLUMNS)
    h1, h2 = got.itertuples(index=False, name=None)
    assert h1 == ("H1", 97.5, 1, 1, {"pagerank": 0.4, "papers": 3}, True, 2.5)
    assert h2[:6] == ("H2", 40.0, 3, 2, {}, False) and pd.isna(h2[6])
    loaded.write_scores(scores_frame([("H3", 10.0, 4, 1, {"a": 1}, False, 0.0)]))
    assert list(loaded.scores()["hcp_id"]) == ["H3"]


def test_scores_accept_numpy_values(loaded):
    frame_ = scores_frame([("H1", 1.0, 1, 1, {}, False, 0.0)])
    frame_ = frame_.astype({"tier": "int64", "rank": "int64", "rising": "bool"})
    frame_.at[0, "components"] = {"x": frame_["tier"].iloc[0]}  # a numpy int64
    loaded.write_scores(frame_)
    assert loaded.scores()["components"].iloc[0] == {"x": 1}


def test_loads_keep_scores(loaded):
    loaded.write_scores(scores_frame([("H1", 97.5, 1, 1, {"p": 1.0}, True, 2.5)]))
    before = loaded.scores()
    loaded.load(sample_batch())
    loaded.load(followup_batch())
    pd.testing.assert_frame_equal(loaded.scores(), before)


def test_scores_with_missing_columns_are_refused(loaded):
    with pytest.raises(InputError, match="rising_score"):
        loaded.write_scores(scores_frame([]).drop(columns="rising_score"))


# --- bad input and unusable files --------------------------------------------------------------


def test_a_batch_with_an_unknown_table_or_missing_column_is_refused(loaded):
    with pytest.raises(InputError, match="unknown table"):
        loaded.load({"doctors": pd.DataFrame()})
    with pytest.raises(InputError, match="hcps: missing column"):
        loaded.load({"hcps": sample_batch()["hcps"].drop(columns="orcid")})
    assert loaded.stats() == SAMPLE_STATS


def test_a_locked_database_is_reported(loaded, home):
    locker = sqlite3.connect(home / DB_FILENAME, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process in the middle of a load
    try:
        with EmbeddedStore(home, timeout=0.1) as blocked:
            assert blocked.stats() == SAMPLE_STATS  # WAL: readers are not blocked
            with pytest.raises(StoreUnavailable, match="locked by another process"):
                blocked.load(followup_batch())
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_a_file_that_is_not_a_database_is_reported(home):
    home.mkdir()
    (home / DB_FILENAME).write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(StoreUnavailable, match="cannot be used"):
        EmbeddedStore(home)


def test_an_unopenable_path_is_reported(home):
    (home / DB_FILENAME).mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(StoreUnavailable, match=DB_FILENAME):
        EmbeddedStore(home)


def test_a_home_that_is_a_file_is_reported(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreUnavailable, match="cannot create the store in"):
        EmbeddedStore(tmp_path / "file")


def test_a_database_from_a_newer_kolgraph_is_refused(loaded, home):
    loaded.close()
    con = sqlite3.connect(home / DB_FILENAME)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreUnavailable, match="newer kolgraph"):
        EmbeddedStore(home)


def test_components_are_stored_as_json(loaded, home):
    loaded.write_scores(scores_frame([("H1", 1.0, 1, 1, {"a": 0.5}, False, 0.0)]))
    con = sqlite3.connect(home / DB_FILENAME)
    stored = con.execute("SELECT components_json FROM hcp_scores").fetchone()[0]
    con.close()
    assert json.loads(stored) == {"a": 0.5}


def test_a_layout_2_file_is_migrated_and_keeps_its_scores(loaded, home):
    """Layout 2 stored a score's components as ``components``; opening it renames the column
    (the name Neo4j uses) and the scores read back unchanged."""
    loaded.write_scores(scores_frame([("H1", 1.0, 1, 1, {"a": 0.5}, True, 2.0)]))
    loaded.close()
    con = sqlite3.connect(home / DB_FILENAME)
    con.execute("ALTER TABLE hcp_scores RENAME COLUMN components_json TO components")
    _drop_layout_6_columns(con)
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()
    with EmbeddedStore(home) as store:
        scores = store.scores()
    assert scores.loc[0, "components"] == {"a": 0.5} and scores.loc[0, "rising"] is True
    con = sqlite3.connect(home / DB_FILENAME)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = [row[1] for row in con.execute("PRAGMA table_info(hcp_scores)")]
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    con.close()
    assert "components_json" in columns and "components" not in columns
    assert {"score_runs", "coverage_days", "score_state"} <= tables  # layouts 4 and 5


LAYOUT_6_COLUMNS = ("postal_code", "territory_aligned", "source_territory")


def _drop_layout_6_columns(con: sqlite3.Connection) -> None:
    """Make a current file look like one written before layout 6 (no postal codes, no
    territory sources, no alignment tables), nor anything of a later layout."""
    look_like_layout_7(con)
    for column in LAYOUT_6_COLUMNS:
        con.execute(f"ALTER TABLE hcps DROP COLUMN {column}")
    con.execute("DROP TABLE territory_rules")
    con.execute("DROP TABLE territory_alignment")


def test_a_layout_5_file_gains_postal_codes_and_keeps_territories_explicit(loaded, home):
    loaded.close()
    con = sqlite3.connect(home / DB_FILENAME)
    _drop_layout_6_columns(con)
    con.execute("PRAGMA user_version = 5")
    con.commit()
    con.close()
    with EmbeddedStore(home) as store:
        hcps = store.table("hcps").set_index("hcp_id")
        places = store.hcp_places().set_index("hcp_id")
        assert store.alignment() is None
    assert hcps["postal_code"].isna().all() and hcps.loc["H1", "territory"] == "NE"
    assert not places["territory_aligned"].any()  # every stored territory stays explicit
    con = sqlite3.connect(home / DB_FILENAME)
    columns = [row[1] for row in con.execute("PRAGMA table_info(hcps)")]
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    assert set(LAYOUT_6_COLUMNS) <= set(columns)


def test_a_layout_11_file_gains_store_stamps_and_keeps_its_data(loaded, home):
    """Layout 12 stamps every write and each touch delta with the state it follows: the
    DDL leaves layout 11's deltas as they were, so the migration makes them again."""
    before = all_rows(loaded)
    loaded.close()
    con = sqlite3.connect(home / DB_FILENAME)
    look_like_layout_11(con)
    con.execute("INSERT INTO touch_deltas (version, hcp_ids) VALUES (1, '[]')")
    con.execute("PRAGMA user_version = 11")
    con.commit()
    con.close()
    with EmbeddedStore(home, create=False) as store:
        assert all_rows(store) == before
        version, stamp = store._store_state()
        assert version == 1 and len(stamp) == 16
        touchpoint = ("T9", "M1", "H5", "2024-06-01", "phone", None, None, None, None)
        store.load({"touchpoints": frame("touchpoints", [touchpoint])})
        assert store._store_state().stamp != stamp
        deltas = store.select_text("SELECT version, prior FROM touch_deltas", "read")
    assert deltas == [(2, stamp)]  # layout 11's delta dropped: it followed no known state
    con = sqlite3.connect(home / DB_FILENAME)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_a_layout_12_file_gains_correction_deltas_and_keeps_its_data(loaded, home):
    """Layout 13 notes each steward correction's HCPs for snapshots to mend."""
    before = all_rows(loaded)
    loaded.close()
    con = sqlite3.connect(home / DB_FILENAME)
    look_like_layout_12(con)
    con.execute("PRAGMA user_version = 12")
    con.commit()
    con.close()
    with EmbeddedStore(home, create=False) as store:
        assert all_rows(store) == before
        store.merge_hcps("H3", "H1")
        deltas = store.select_text("SELECT hcp_ids FROM correction_deltas", "read")
    assert deltas == [('["H1", "H3"]',)]
    con = sqlite3.connect(home / DB_FILENAME)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_kept_mesh_terms_follow_corrections(home):
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        store.split_hcp("H2", "P3", steward="ada")
        store.merge_hcps("H3", "H1", steward="ada")
        auth, pubs = store.table("authorships"), store.table("publications")
        assert stored_topics(store) == expected_topics(auth, pubs)
        assert not {h for h, _t in stored_topics(store)} - set(store.table("hcps")["hcp_id"])
