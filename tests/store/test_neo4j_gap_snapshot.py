"""A server on Neo4j answers gaps and coverage from the gaps snapshot it keeps in memory (and
searches from its search index), and
follows writes that only changed touchpoints (the HCPs they stamp), as the embedded store's
server does (``test_touch_deltas.py``): the followed snapshot is the one read whole, and any
write that may change an HCP reads it whole.  The answers themselves are the contract suite's
(``test_gaps_contract.py``, store ``neo4j-server``)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from counting import Reads, assert_same_frames
from sample import frame
from test_gaps_contract import AS_OF, _hcp, gap_batch, score_frame

from kolgraph.answers.gaps import GapQuery
from kolgraph.cypher import default_catalog
from kolgraph.store import gap_snapshot, search_index
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.neo4j import store as neo4j_module
from kolgraph.touchpoints import log_touchpoint

pytestmark = pytest.mark.neo4j


@pytest.fixture
def server(neo4j_clean, neo4j_server):
    """The gap sample, scored, in a store keeping snapshots as ``kolgraph serve`` does."""
    opened = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    opened.load(gap_batch())
    opened.write_scores(score_frame())
    opened.keep_snapshots()
    yield opened
    opened.close()


@pytest.fixture
def one_off(neo4j_clean, neo4j_server):
    """A store on the same database that asks the server every question."""
    opened = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    yield opened
    opened.close()


@pytest.fixture
def whole_reads(monkeypatch) -> Reads:
    return Reads(monkeypatch, gap_snapshot, "read_frames")


@pytest.fixture
def follows(monkeypatch) -> Reads:
    return Reads(monkeypatch, gap_snapshot, "followed")


def held(store: Neo4jStore) -> gap_snapshot.GapFrames:
    frames = store.snapshot("gaps snapshot", gap_snapshot.read_frames, gap_snapshot.followed)
    assert frames is not None
    return frames


def answers(store: Neo4jStore) -> list:
    """Every kind of question the snapshot answers."""
    return [
        store.coverage_gaps(GapQuery(as_of=AS_OF)),
        store.coverage_gaps(GapQuery(as_of=AS_OF, include_engaged=True, max_tier=4)),
        store.coverage_gaps(GapQuery(as_of=date(2024, 1, 1), stale_days=30, territory="NE")),
        store.coverage(AS_OF, 180),
    ]


def touchpoint(touchpoint_id: str, hcp_id: str, msl_id: str, day: str) -> pd.DataFrame:
    return frame(
        "touchpoints",
        [(touchpoint_id, msl_id, hcp_id, day, "in-person", None, None, None, None)],
    )


def test_a_server_answers_from_its_snapshot_as_a_one_off_store_does(server, one_off, monkeypatch):
    expected = answers(one_off)
    assert answers(server) == expected
    asked: list[str] = []
    real_read = server.read
    monkeypatch.setattr(
        server, "read", lambda name, **p: asked.append(name) or real_read(name, **p)
    )
    assert answers(server) == expected
    server_side = {"list_gap_candidates_by_tier", "list_gap_candidates_by_rank"}
    server_side |= {"count_territory_coverage", "count_msl_engagement"}
    assert asked and not server_side & set(asked)


def test_logged_touchpoints_are_followed_not_read_whole(
    server, one_off, whole_reads, follows, tmp_path, monkeypatch
):
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    asked: list[str] = []
    real_read = server.read
    monkeypatch.setattr(
        server, "read", lambda name, **p: asked.append(name) or real_read(name, **p)
    )
    for hcp_id, msl_id in (("H2", "M2"), ("H5", "M3")):  # as the web form logs them
        values = {"hcp_id": hcp_id, "msl_id": msl_id, "date": "2024-06-29", "channel": "email"}
        log_touchpoint(server, tmp_path, values, today=AS_OF)
        assert hcp_id not in {g["hcp_id"] for g in server.coverage_gaps(GapQuery(as_of=AS_OF))}
    assert (whole_reads.count, follows.count) == (1, 2)
    assert "list_engaged_in_window" not in asked  # reach's window followed too
    assert answers(server) == answers(one_off)
    assert_same_frames(held(server), gap_snapshot.read_frames(server._fetch_rows))


def test_a_touchpoint_moved_to_another_hcp_leaves_the_first(server, one_off, whole_reads):
    server.load({"touchpoints": touchpoint("TP-MOVED", "H3", "M1", "2024-06-01")})
    assert answers(server) == answers(one_off)
    server.load({"touchpoints": touchpoint("TP-MOVED", "H8", "M1", "2024-05-01")})
    assert answers(server) == answers(one_off)
    assert whole_reads.count == 1
    assert_same_frames(held(server), gap_snapshot.read_frames(server._fetch_rows))


def test_reach_follows_touchpoints_moved_away_and_logged(server, one_off, whole_reads, monkeypatch):
    def reach_of(store: Neo4jStore) -> dict[str, tuple]:
        rows = store.coverage_gaps(GapQuery(as_of=AS_OF))
        return {r["hcp_id"]: (r["reach_hops"], r["reach_via"]) for r in rows}

    assert reach_of(server)["H3"] == (1, "H1")  # H1, engaged on 2024-06-01, shares I2
    asked: list[str] = []
    real_read = server.read
    monkeypatch.setattr(
        server, "read", lambda name, **p: asked.append(name) or real_read(name, **p)
    )
    server.load({"touchpoints": touchpoint("T2", "H8", "M1", "2024-06-01")})  # H1's, to H8
    assert reach_of(server)["H3"] == (None, None) == reach_of(one_off)["H3"]
    server.load({"touchpoints": touchpoint("T-NEW", "H3", "M1", "2024-06-20")})
    assert reach_of(server)["H2"] == (1, "H3") == reach_of(one_off)["H2"]  # shares I3
    assert "list_engaged_in_window" not in asked and whole_reads.count == 1
    assert answers(server) == answers(one_off)  # other windows too, built afresh


def test_an_msl_load_is_followed_with_the_msls_read_again(server, whole_reads, follows):
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    server.load({"msls": frame("msls", [("M9", "New Liaison", "W", "Oncology", None)])})
    rows = {g["hcp_id"]: g for g in server.coverage_gaps(GapQuery(as_of=AS_OF))}
    assert "H6" not in rows  # W is covered now, and H6 was touched 20 days ago
    assert "M9" in {m["msl_id"] for m in held(server).msls}
    assert (whole_reads.count, follows.count) == (1, 1)


def test_a_write_that_may_change_an_hcp_reads_the_snapshot_whole(
    server, one_off, whole_reads, follows
):
    server.coverage_gaps(GapQuery(as_of=AS_OF))
    server.write_scores(score_frame().assign(influence=lambda s: s["influence"] / 2))
    assert answers(server) == answers(one_off)
    assert (whole_reads.count, follows.count) == (2, 0)


def test_the_search_index_is_kept_over_touchpoints_and_read_after_new_hcps(
    server, one_off, monkeypatch
):
    index_reads = Reads(monkeypatch, search_index, "read_index")
    searches = ["last1", "oncology", "general hospital", ""]
    assert [server.search_hcps(t) for t in searches] == [one_off.search_hcps(t) for t in searches]
    server.load({"touchpoints": touchpoint("TP-9", "H7", "M1", "2024-07-01")})
    assert server.search_hcps("last7") == one_off.search_hcps("last7")
    assert index_reads.count == 1
    server.load({"hcps": frame("hcps", [_hcp(11, "NE")])})
    assert [h["hcp_id"] for h in server.search_hcps("last11")] == ["H11"]
    assert index_reads.count == 2


def test_a_one_off_store_keeps_no_snapshot(one_off, neo4j_clean):
    one_off.load(gap_batch())
    one_off.write_scores(score_frame())
    assert (
        one_off.snapshot("gaps snapshot", gap_snapshot.read_frames, gap_snapshot.followed) is None
    )


def test_hcp_neutral_writes_set_no_hcp_property_but_its_touch_dates():
    catalog = default_catalog()
    for name in sorted(neo4j_module.HCP_NEUTRAL_QUERIES):
        text = catalog.get(name)
        assert not re.search(r"(CREATE|MERGE)\s*\(\w*:HCP", text), name
        for hcp in set(re.findall(r"\((\w+):HCP", text)):
            changes = re.findall(rf"(?:SET|REMOVE|DELETE)\s+{hcp}\b(\.\w+)?", text)
            assert set(changes) <= {".touch_dates"}, name
