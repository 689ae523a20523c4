"""The embedded store's path graph arrays (``network_file``) and reach over them
(``reach_arrays``): the same answers as the dict-based walk, written once per data version."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from layouts import look_like_layout_11, sample_home_of_layout
from pandas.testing import assert_frame_equal
from random_corrections import correct_at_random
from reach_oracle import Adjacency, ReachIndex, matrices_of
from sample import TOUCHPOINT_ROWS, followup_batch, frame, merged, sample_batch
from shared_data import SHARED_DATA

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.reach_arrays import HopArrays, WindowReach, adjacencies, network_matrices
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore, network_file
from kolgraph.store.sqlite import store as store_module
from kolgraph.store.sqlite.catalog import sql
from kolgraph.store.sqlite.network_file import NetworkArrays
from kolgraph.store.sqlite.store import CACHE_FOLDER

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


def _random_graph(seed: int) -> Adjacency:
    """HCPs with ids of uneven length (sorted order is not numeric order), co-authorships,
    and current memberships of institutions of every size from one member to many."""
    rng = random.Random(seed)
    ids = [f"H{rng.randrange(10 ** rng.randint(1, 4))}" for _ in range(60)]
    hcps = sorted(set(ids))
    coauthors: dict[str, set[str]] = {h: set() for h in hcps}
    for _ in range(rng.randint(0, 90)):
        a, b = rng.sample(hcps, 2)
        coauthors[a].add(b)
        coauthors[b].add(a)
    members = {f"I{j}": sorted(rng.sample(hcps, rng.choice([1, 2, 3, 8, 20]))) for j in range(8)}
    institutions: dict[str, list[str]] = {}
    for institution, held in members.items():
        for hcp in held:
            institutions.setdefault(hcp, []).append(institution)
    return Adjacency({h: sorted(c) for h, c in coauthors.items()}, institutions, members)


def _arrays(graph: Adjacency) -> NetworkArrays:
    hcp_ids = np.array(sorted(graph.coauthors), dtype=str)
    institution_ids = np.array(sorted(graph.members), dtype=str)
    hcp_at = {h: i for i, h in enumerate(hcp_ids.tolist())}
    inst_at = {j: i for i, j in enumerate(institution_ids.tolist())}
    a = np.array([hcp_at[h] for h, cs in graph.coauthors.items() for _c in cs], dtype=np.int64)
    b = np.array([hcp_at[c] for cs in graph.coauthors.values() for c in cs], dtype=np.int64)
    h = np.array([hcp_at[h] for h, js in graph.institutions.items() for _j in js], dtype=np.int64)
    j = np.array([inst_at[j] for js in graph.institutions.values() for j in js], dtype=np.int64)
    papers = np.ones(len(a), dtype=np.int32)
    fields = adjacencies((a, b), (h, j), len(hcp_ids), len(institution_ids), papers)
    return NetworkArrays(hcp_ids=hcp_ids, institution_ids=institution_ids, **fields)


@pytest.mark.parametrize("seed", range(12))
def test_reach_over_arrays_is_the_walk_s_answer(seed):
    graph = _random_graph(seed)
    rng = random.Random(seed)
    engaged = frozenset(rng.sample(sorted(graph.coauthors), rng.randint(0, 12)))
    arrays = _arrays(graph)
    walk = ReachIndex(graph, engaged)
    reach = WindowReach(arrays, arrays.hcp_numbers(sorted(engaged)))
    everyone = sorted(graph.coauthors) + ["H-unknown", "H-unknown-engaged"]
    flags = [h in engaged or h == "H-unknown-engaged" for h in everyone]
    hops, vias = reach.reach(everyone, flags)
    assert list(zip(everyone, hops, vias)) == [
        (h, *walked(walk, h, e)) for h, e in zip(everyone, flags)
    ]


def walked(walk: ReachIndex, hcp_id: str, engaged: bool) -> tuple[int | None, str | None]:
    """The walk's (reach_hops, reach_via) of one HCP."""
    if engaged:
        return 0, hcp_id
    for hops, via in ((1, walk.first(hcp_id)), (2, walk.second(hcp_id))):
        if via is not None:
            return hops, via
    return None, None


def test_reach_on_a_graph_without_hcps():
    arrays = HopArrays.of([], [])
    reach = WindowReach(arrays, arrays.hcp_numbers([]))
    assert reach.reach(["H1", "H2"], [False, True]) == ([None, 0], [None, "H2"])
    assert reach.reach([], []) == ([], [])


@pytest.mark.parametrize("seed", range(6))
def test_arrays_from_neighbour_lists_as_neo4j_reads_them_are_the_path_graph_s(seed):
    graph = _random_graph(seed)
    pulled = HopArrays.of(
        reversed(list(graph.coauthors.items())),  # any order the server sends them in
        ((i, list(reversed(m))) for i, m in graph.members.items()),
    )
    linked = sorted(set(graph.coauthors) | set(graph.institutions))
    expected = _arrays(graph)
    assert pulled.hcp_ids.tolist() == linked
    assert pulled.institution_ids.tolist() == expected.institution_ids.tolist()
    for name in ("coauthor", "affiliation", "member"):
        for part in ("ptr", "idx"):
            assert (
                getattr(pulled, f"{name}_{part}").tolist()
                == getattr(expected, f"{name}_{part}").tolist()
            ), f"{name}_{part}"
    engaged = sorted(linked)[::3]
    walk = ReachIndex(graph, frozenset(engaged))
    reach = WindowReach(pulled, pulled.hcp_numbers(engaged))
    flags = [h in set(engaged) for h in linked]
    hops, vias = reach.reach(linked, flags)
    assert list(zip(hops, vias)) == [walked(walk, h, e) for h, e in zip(linked, flags)]


def test_the_arrays_hold_the_graph_s_neighbours():
    graph = _random_graph(3)
    arrays = _arrays(graph)
    for hcp, coauthors in graph.coauthors.items():
        assert arrays.coauthors(hcp) == coauthors
        assert arrays.institutions(hcp) == sorted(graph.institutions.get(hcp, []))
    for institution, members in graph.members.items():
        assert arrays.members(institution) == members
    assert arrays.coauthors("nobody") == [] and arrays.members("nowhere") == []


def test_per_msl_matrices_over_arrays_are_the_graph_s():
    graph = _random_graph(5)
    built, over_arrays = matrices_of(graph), network_matrices(_arrays(graph))
    linked = sorted(built.row)
    for matrices in (built, over_arrays):
        rows = matrices.rows(linked)
        assert matrices.coauthors[rows][:, rows].nnz == built.coauthors.nnz
    a, b = built.rows(linked), over_arrays.rows(linked)
    assert (built.coauthors[a][:, a] != over_arrays.coauthors[b][:, b]).nnz == 0
    assert (built.members[a] != over_arrays.members[b]).nnz == 0


def _prepared_home(tmp_path) -> tuple[Path, Path]:
    """A home holding the sample batch with its path graph files, and their folder."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        store.prepare_reads()
    (folder,) = (home / CACHE_FOLDER).glob("network-*")
    return home, folder


def test_the_arrays_are_written_once_per_data_version(tmp_path, monkeypatch):
    home, first = _prepared_home(tmp_path)
    with EmbeddedStore(home, create=False) as store:
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
    with EmbeddedStore(home, create=False) as store:  # another process: read, not written
        monkeypatch.setattr(store_module, "_caches", {})
        written = first.stat().st_mtime_ns
        store.path_graph()
        assert first.stat().st_mtime_ns == written
        store.load(followup_batch())  # P5: H1 and H5 become co-authors
        assert "H5" in store.path_graph().coauthors("H1")
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
    (second,) = (home / CACHE_FOLDER).glob("network-*")  # the older version is removed
    assert second != first


def test_writing_scores_and_history_keeps_the_files_under_the_new_version(tmp_path):
    """Scores and history are no part of the path graph: their writes rename its files to
    the new data version, and a load still has them written again."""
    home, first = _prepared_home(tmp_path)
    inode = first.stat().st_ino
    with EmbeddedStore(home, create=False) as store:
        rescore(store, home)
        (kept,) = (home / CACHE_FOLDER).glob("network-*")
        assert kept != first and kept.stat().st_ino == inode
        state = store._store_state()
        assert kept.name.endswith(f"-{state.version}-{state.stamp}")
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
        (still,) = (home / CACHE_FOLDER).glob("network-*")
        assert still == kept  # read, not written again
        store.load(followup_batch())
        assert "H5" in store.path_graph().coauthors("H1")
        (rewritten,) = (home / CACHE_FOLDER).glob("network-*")
        assert rewritten.stat().st_ino != inode


def test_scoring_keeps_the_authorships_in_numbers_until_a_load_changes_them(tmp_path):
    home, _ = _prepared_home(tmp_path)
    with EmbeddedStore(home, create=False) as store:
        scores = rescore(store, home)
        (kept,) = (home / CACHE_FOLDER).glob("authorships-*")
        state = store._store_state()
        assert kept.name.endswith(f"-{state.version}-{state.stamp}")  # carried over the writes
        inode = kept.stat().st_ino
        assert_frame_equal(rescore(store, home), scores)
        (still,) = (home / CACHE_FOLDER).glob("authorships-*")
        assert still.stat().st_ino == inode  # read, not written again
        store.load(followup_batch())
        assert store.authorship_numbers().hcp.size == len(store.table("authorships"))
        (rewritten,) = (home / CACHE_FOLDER).glob("authorships-*")
        assert rewritten.stat().st_ino != inode


@pytest.mark.parametrize("min_papers", [1, 2])
def test_the_coauthorships_of_and_among_some_hcps_are_the_table_s_rows(tmp_path, min_papers):
    home, _ = _prepared_home(tmp_path)
    with EmbeddedStore(home, create=False) as store:
        store.load(followup_batch())
        graph = store.path_graph()
        ids = graph.hcp_ids.tolist()
        con = sqlite3.connect(home / DB_FILENAME)
        rng = random.Random(min_papers)
        for wanted in [ids, ids[:1], ["H1", "H5"], rng.sample(ids, 3), ["nobody"], []]:
            expected = con.execute(
                "SELECT hcp_a, hcp_b, papers FROM coauthorships WHERE papers >= ? AND "
                "(hcp_a IN (SELECT value FROM json_each(?)) OR hcp_b IN (SELECT value FROM json_each(?)))",
                (min_papers, json.dumps(wanted), json.dumps(wanted)),
            ).fetchall()
            found = graph.coauthorships_of(wanted, min_papers)
            assert sorted(found) == sorted(expected), wanted
            assert len(found) == len(set(found))
            among = [(a, b, p) for a, b, p in expected if a in wanted and b in wanted]
            assert sorted(graph.coauthorships_among(wanted, min_papers)) == sorted(among)
        con.close()
        papers = [p for *_, p in graph.coauthorships_of(ids, 1)]
    assert 1 in papers and max(papers) > 1  # both sides of min_papers = 2 are seen


def _assert_mended_as_read(store: EmbeddedStore, before_inode: int) -> None:
    """The path graph files of the store's version were mended by the correction (a new
    folder, there before anything asked for it) and hold what reading the whole graph
    from the tables gives, array for array, dtypes too."""
    (folder,) = (store.path.parent / CACHE_FOLDER).glob("network-*")
    state = store._store_state()
    assert folder.name.endswith(f"-{state.version}-{state.stamp}")
    assert folder.stat().st_ino != before_inode
    mended = network_file.read(folder, NetworkArrays)
    store.con.execute("BEGIN")
    try:
        read = network_file.read_arrays(store.con)
    finally:
        store.con.execute("COMMIT")
    for field in fields(NetworkArrays):
        found, expected = getattr(mended, field.name), getattr(read, field.name)
        assert found.dtype == expected.dtype, field.name
        assert np.array_equal(found, expected), field.name


def test_a_merge_and_a_split_mend_the_path_graph_files_to_what_a_read_gives(tmp_path):
    """A correction moves the links of its two HCPs only: the files of the data before it
    are mended for the new version, not read whole again."""
    home, first = _prepared_home(tmp_path)
    with EmbeddedStore(home, create=False) as store:
        inode = first.stat().st_ino
        store.merge_hcps("H3", "H1")
        _assert_mended_as_read(store, inode)
        assert "H1" not in store.path_graph().hcp_ids
        (merged_folder,) = (home / CACHE_FOLDER).glob("network-*")
        inode = merged_folder.stat().st_ino
        store.split_hcp("H2", "P3")
        _assert_mended_as_read(store, inode)
        assert store.path_graph().coauthors("H2-split-P3") == ["H3", "H4"]


def test_corrections_on_real_medline_mend_the_path_graph_as_a_read_would(tmp_path, real_data):
    """Random merges and splits of authors of ``medline16n0902.xml.gz`` (3,480 HCPs, 12,719
    co-authorships), each checked against the graph read whole from the tables."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        load_path(MEDLINE, store)
        rng = random.Random(5)
        for step in range(6):
            store.prepare_reads()
            (folder,) = (home / CACHE_FOLDER).glob("network-*")
            inode = folder.stat().st_ino
            correct_at_random(store, rng, split=bool(step % 2))
            _assert_mended_as_read(store, inode)


def _coauthors_in_sql(home, hcp_id: str) -> list[str]:
    con = sqlite3.connect(home / DB_FILENAME)
    rows = con.execute(
        "SELECT hcp_b FROM coauthorships WHERE hcp_a = ?1 UNION "
        "SELECT hcp_a FROM coauthorships WHERE hcp_b = ?1 ORDER BY 1",
        (hcp_id,),
    ).fetchall()
    con.close()
    assert rows
    return [r for (r,) in rows]


def test_a_layout_7_file_gets_the_touchpoint_indexes(tmp_path):
    home = tmp_path / "home"
    sample_home_of_layout(home, 7)
    EmbeddedStore(home, create=False).close()
    con = sqlite3.connect(home / DB_FILENAME)
    names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert {"touchpoints_by_hcp_date", "touchpoints_by_date", "hcp_scores_by_tier"} <= names
    assert "touchpoints_by_hcp" not in names
    with EmbeddedStore(home, create=False) as store:
        kept = store.reads.hcp_details(["H1"])["H1"][1]
        assert kept == {"Neoplasms", "Humans"}  # the kept MeSH terms, filled by the migration
        (epoch,) = store.select("read_store_epoch", "read")[0]
        assert len(epoch) == 16
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")


def test_a_layout_8_file_gets_the_rank_index_and_top_reads_by_it(tmp_path):
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
    con = sqlite3.connect(home / DB_FILENAME)
    look_like_layout_11(con)
    con.execute("DROP INDEX hcp_scores_by_rank")  # all that layout 9 adds to layout 8
    con.execute("PRAGMA user_version = 8")
    con.commit()
    con.close()
    with EmbeddedStore(home, create=False) as store:
        rescore(store, home)
        plan = store.select_text(
            f"EXPLAIN QUERY PLAN {sql('list_top_hcps')}", "plan", {"territory": None, "limit": 3}
        )
        assert any("hcp_scores_by_rank" in row[-1] for row in plan)
        top = store.top_hcps(3, None)
        assert [row["rank"] for row in top] == [1, 2, 3]


def test_a_database_created_again_never_reads_the_old_files(tmp_path, monkeypatch):
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
        store.path_graph()
    (home / DB_FILENAME).unlink()
    monkeypatch.setattr(store_module, "_caches", {})
    with EmbeddedStore(home) as store:  # the same version after one load, maybe the same inode
        store.load(merged(sample_batch(), followup_batch()))
        assert "H5" in store.path_graph().coauthors("H1")
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
    assert len(list((home / CACHE_FOLDER).glob("network-*"))) == 1


def test_a_logged_touchpoint_is_reached_without_writing_the_files_again(tmp_path, monkeypatch):
    home, folder = _prepared_home(tmp_path)
    touchpoint = ("T9", "M1", "H5", "1999-06-01", *TOUCHPOINT_ROWS[0][4:])

    def engaged_near_h4(store: EmbeddedStore) -> dict[str, str]:
        hops, vias = store.reads.window_reach("1999-01-01", "1999-12-31").reach(["H4"], [False])
        return {"H4": vias[0]} if hops[0] == 1 else {}

    def built(_con):
        raise AssertionError("the path graph was built again")

    with EmbeddedStore(home, create=False) as store:
        assert engaged_near_h4(store) == {}
        store.load({"touchpoints": frame("touchpoints", [touchpoint])})
        monkeypatch.setattr(store_module, "_caches", {})  # as in another process
        monkeypatch.setattr(network_file, "read_arrays", built)
        assert engaged_near_h4(store) == {"H4": "H5"}
    assert not folder.exists()  # renamed for the new version


def test_files_of_an_older_layout_are_written_again_not_carried(tmp_path):
    home, folder = _prepared_home(tmp_path)
    np.save(folder / "touch_day.npy", np.array([], dtype=np.int64))  # an older kolgraph's
    touchpoint = ("T9", "M1", "H5", "1999-06-01", *TOUCHPOINT_ROWS[0][4:])
    with EmbeddedStore(home, create=False) as store:
        store.load({"touchpoints": frame("touchpoints", [touchpoint])})
        assert folder.is_dir()  # left under the old version
        store.path_graph()
    (written,) = (home / CACHE_FOLDER).glob("network-*")
    assert written != folder and not (written / "touch_day.npy").exists()


def test_an_unreadable_folder_of_the_version_is_written_again(tmp_path, monkeypatch):
    home, folder = _prepared_home(tmp_path)
    (folder / "member_idx.npy").unlink()  # as a crash, or an older kolgraph, leaves it
    monkeypatch.setattr(store_module, "_caches", {})  # as in another process
    with EmbeddedStore(home, create=False) as store:
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
    assert (folder / "member_idx.npy").is_file()


def test_the_files_are_readable_by_their_owner_only(tmp_path):
    previous = os.umask(0o022)
    try:
        _home, folder = _prepared_home(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()} == {0o600}


def test_a_home_folder_that_cannot_be_written_keeps_the_graph_in_memory(tmp_path, monkeypatch):
    home = tmp_path / "home"

    def refused(_arrays, folder):
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(store_module.network_file, "write", refused)
    with EmbeddedStore(home) as store:
        store.load(sample_batch())  # a first load keeps nothing either
    with EmbeddedStore(home, create=False) as store:
        assert store.path_graph().coauthors("H1") == _coauthors_in_sql(home, "H1")
    assert not (home / CACHE_FOLDER).exists()
