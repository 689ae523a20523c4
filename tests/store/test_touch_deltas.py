"""A server's snapshots follow writes that only changed touchpoints (``touch_deltas``): the
followed gaps snapshot is the one read whole, and any other write still reads it whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import counting
import pandas as pd
import pytest
from counting import Reads, assert_same_frames, backup_of, restore_in_place
from sample import frame

from kolgraph.answers.gaps import GapQuery
from kolgraph.scoring import rescore
from kolgraph.store import gap_snapshot, search_index
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore, touch_deltas
from kolgraph.store.sqlite.catalog import sql
from kolgraph.touchpoints import log_touchpoint

AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def scored_home(tmp_path_factory) -> Path:
    """The generator's S bundle, loaded and scored (copied by each test)."""
    return counting.scored_home(tmp_path_factory.mktemp("deltas"), 5, AS_OF)


@pytest.fixture
def home(scored_home, tmp_path) -> Path:
    return Path(shutil.copytree(scored_home, tmp_path / "home"))


@pytest.fixture
def server(home) -> Iterator[EmbeddedStore]:
    with EmbeddedStore(home, create=False) as store:
        store.keep_snapshots()
        yield store


@pytest.fixture
def whole_reads(monkeypatch) -> Reads:
    return Reads(monkeypatch, gap_snapshot, "read_frames")


def held_frames(store: EmbeddedStore) -> gap_snapshot.GapFrames:
    frames = store.snapshot("gaps", gap_snapshot.read_frames, gap_snapshot.followed)
    assert frames is not None
    return frames


def frames_read_whole(home: Path) -> gap_snapshot.GapFrames:
    con = sqlite3.connect(home / DB_FILENAME)
    try:
        return gap_snapshot.read_frames(lambda name, params=(): con.execute(sql(name)).fetchall())
    finally:
        con.close()


def gap_hcps(store: EmbeddedStore, n: int) -> list[dict]:
    """The first ``n`` gaps that have an MSL in their territory."""
    gaps = store.coverage_gaps(GapQuery(as_of=AS_OF, top=500))
    return [g for g in gaps if g["msl_ids"]][:n]


def touchpoint_rows(rows: list[tuple]) -> pd.DataFrame:
    """Touchpoints of (touchpoint_id, hcp_id, msl_id, date)."""
    return frame(
        "touchpoints",
        [(t, m, h, d, "in-person", None, None, None, None) for t, h, m, d in rows],
    )


def test_logged_touchpoints_are_followed_not_read_whole(home, server, whole_reads):
    question = GapQuery(as_of=AS_OF)
    before = server.coverage_gaps(question)
    server.coverage(AS_OF, stale_days=180)
    assert whole_reads.count == 1
    for gap in gap_hcps(server, 3):  # as the web form logs them, one write each
        values = {"hcp_id": gap["hcp_id"], "msl_id": gap["msl_ids"][0], "date": "2024-06-29"}
        log_touchpoint(server, home, values | {"channel": "in-person"}, today=AS_OF)
        assert gap["hcp_id"] not in {g["hcp_id"] for g in server.coverage_gaps(question)}
    assert whole_reads.count == 1
    assert len(server.coverage_gaps(question)) == len(before) - 3
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_a_touchpoint_moved_to_another_hcp_leaves_the_first(home, server, whole_reads):
    first, second = gap_hcps(server, 2)
    msl = first["msl_ids"][0]
    server.load(
        {"touchpoints": touchpoint_rows([("TP-MOVED", first["hcp_id"], msl, "2024-06-01")])}
    )
    engaged = GapQuery(as_of=AS_OF, include_engaged=True, top=500)
    rows = {g["hcp_id"]: g for g in server.coverage_gaps(engaged)}
    assert rows[first["hcp_id"]]["last_touch"] == "2024-06-01"
    server.load(
        {"touchpoints": touchpoint_rows([("TP-MOVED", second["hcp_id"], msl, "2024-05-01")])}
    )
    rows = {g["hcp_id"]: g for g in server.coverage_gaps(engaged)}
    assert rows[first["hcp_id"]]["last_touch"] == first["last_touch"]
    assert rows[second["hcp_id"]]["last_touch"] == "2024-05-01"
    assert whole_reads.count == 1
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_an_msl_load_is_followed_with_the_msls_read_again(home, server, whole_reads):
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    msl = frame("msls", [("M-NEW", "New Liaison", "Nowhere", "Oncology", None)])
    server.load({"msls": msl})
    assert "M-NEW" in {m["msl_id"] for m in held_frames(server).msls}
    assert whole_reads.count == 1
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_any_other_write_reads_the_snapshot_whole(home, server, whole_reads):
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    (gap,) = gap_hcps(server, 1)
    server.load(
        {"touchpoints": touchpoint_rows([("TP-1", gap["hcp_id"], gap["msl_ids"][0], "2024-06-29")])}
    )
    rescore(server, home, as_of=AS_OF)  # scores: not a delta (history is)
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    assert whole_reads.count == 2
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_a_snapshot_older_than_the_kept_deltas_is_read_whole(
    home, server, whole_reads, monkeypatch
):
    monkeypatch.setattr(touch_deltas, "KEPT_DELTAS", 2)
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    gaps = gap_hcps(server, 3)
    writes = [(f"TP-{i}", g["hcp_id"], g["msl_ids"][0], "2024-06-29") for i, g in enumerate(gaps)]
    with EmbeddedStore(home, create=False) as other:  # another worker writes, unseen
        for write in writes:
            other.load({"touchpoints": touchpoint_rows([write])})
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    assert whole_reads.count == 2
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_a_big_touchpoint_load_is_not_followed(home, server, whole_reads, monkeypatch):
    monkeypatch.setattr(touch_deltas, "MAX_DELTA_TOUCHPOINTS", 1)
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    first, second = gap_hcps(server, 2)
    rows = [
        (f"TP-{g['hcp_id']}", g["hcp_id"], g["msl_ids"][0], "2024-06-29") for g in (first, second)
    ]
    server.load({"touchpoints": touchpoint_rows(rows)})
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    assert whole_reads.count == 2
    assert_same_frames(held_frames(server), frames_read_whole(home))


def test_the_search_index_is_kept_over_touchpoints_and_read_after_new_hcps(
    home, server, monkeypatch
):
    index_reads = Reads(monkeypatch, search_index, "read_index")
    (gap,) = gap_hcps(server, 1)
    server.search_hcps(gap["name"])
    server.load(
        {"touchpoints": touchpoint_rows([("TP-1", gap["hcp_id"], gap["msl_ids"][0], "2024-06-29")])}
    )
    assert gap["hcp_id"] in {h["hcp_id"] for h in server.search_hcps(gap["name"])}
    assert index_reads.count == 1
    hcp = (
        "H-NEW",
        "Zebulon",
        "Quennell",
        "MD",
        "Oncology",
        "Boston",
        "MA",
        "02115",
        "US",
        None,
        None,
        None,
        None,
    )
    server.load({"hcps": frame("hcps", [hcp])})
    assert [h["hcp_id"] for h in server.search_hcps("Quennell")] == ["H-NEW"]
    assert index_reads.count == 2


def test_a_failed_write_records_no_delta(home, server, monkeypatch):
    (gap,) = gap_hcps(server, 1)
    version = server._store_state().version

    def broken(*_args):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("kolgraph.store.sqlite.load.write", broken)
    with pytest.raises(RuntimeError):
        server.load(
            {
                "touchpoints": touchpoint_rows(
                    [("TP-1", gap["hcp_id"], gap["msl_ids"][0], "2024-06-29")]
                )
            }
        )
    assert server._store_state().version == version
    assert server.select_text(
        "SELECT COUNT(*) FROM touch_deltas WHERE version > ?", "read", (version,)
    ) == [(0,)]


def test_a_restored_backup_is_read_whole_though_its_versions_repeat(home, server):
    """A backup moved into place counts versions again from its own: a snapshot held of the
    replaced file is neither followed nor served at a version number the two share."""
    first, second = gap_hcps(server, 2)
    backup = home / "backup.sqlite3"
    with sqlite3.connect(home / DB_FILENAME) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    touch = ("TP-LIVE", first["hcp_id"], first["msl_ids"][0], "2024-06-29")
    server.load({"touchpoints": touchpoint_rows([touch])})
    assert first["hcp_id"] not in {g["hcp_id"] for g in server.coverage_gaps(GapQuery(as_of=AS_OF))}
    server.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the live file's WAL is not the backup's
    os.replace(backup, home / DB_FILENAME)
    with EmbeddedStore(home, create=False) as restored:  # as the web app reopens it
        restored.keep_snapshots()
        touch = ("TP-RESTORED", second["hcp_id"], second["msl_ids"][0], "2024-06-29")
        restored.load({"touchpoints": touchpoint_rows([touch])})
        assert restored._store_state().version == server._store_state().version
        gaps = {g["hcp_id"] for g in restored.coverage_gaps(GapQuery(as_of=AS_OF))}
        assert first["hcp_id"] in gaps and second["hcp_id"] not in gaps
        assert_same_frames(held_frames(restored), frames_read_whole(home))


def test_deltas_are_not_followed_across_a_backup_restored_in_place(home, server, whole_reads):
    """A snapshot held of the replaced file is not followed by the restored file's deltas,
    though they are numbered after the version it was held at (same file, same inode)."""
    first, second, third = gap_hcps(server, 3)
    backup = backup_of(server)
    touch = ("TP-REPLACED", first["hcp_id"], first["msl_ids"][0], "2024-06-29")
    server.load({"touchpoints": touchpoint_rows([touch])})
    held_frames(server)  # held at the replaced file's version
    server.close()
    restore_in_place(home / DB_FILENAME, backup)  # `cp backup kolgraph.sqlite3`
    with EmbeddedStore(home, create=False) as restored:
        restored.keep_snapshots()
        for gap, touchpoint_id in ((second, "TP-R1"), (third, "TP-R2")):
            touch = (touchpoint_id, gap["hcp_id"], gap["msl_ids"][0], "2024-06-29")
            restored.load({"touchpoints": touchpoint_rows([touch])})
        gaps = {g["hcp_id"] for g in restored.coverage_gaps(GapQuery(as_of=AS_OF))}
        assert first["hcp_id"] in gaps
        assert second["hcp_id"] not in gaps and third["hcp_id"] not in gaps
        assert whole_reads.count == 2  # read whole again, not followed
        assert_same_frames(held_frames(restored), frames_read_whole(home))
