"""Conflict-free parallel batches (kolgraph.store.neo4j.bulk): splitting, scheduling, errors.

The writes themselves are tested against a real Neo4j in test_neo4j_store.py and the
contract suites; these tests check the scheduling rules without a server.
"""

import threading
from contextlib import nullcontext

import pandas as pd
import pytest

from kolgraph.store.neo4j import bulk
from kolgraph.store.neo4j.bulk import COLOURS, colours, link_jobs, node_jobs, run_jobs

HCPS = [f"H{i:05d}" for i in range(200)]
PMIDS = [str(30_000_000 + i) for i in range(200)]


def authorship_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"hcp_id": HCPS[(3 * i) % 200], "pmid": PMIDS[i % 200], "position": i % 7}
            for i in range(1_000)
        ]
    )


def test_a_key_always_gets_the_same_colour():
    first, again = colours(HCPS), colours(list(reversed(HCPS)))
    assert list(first) == list(reversed(again))
    assert set(first) == set(range(COLOURS))  # 200 keys use every colour


def test_link_jobs_keep_every_row_once_and_tokens_name_the_colours_of_their_rows():
    rows = authorship_rows()
    jobs = link_jobs("q", rows, [("HCP", "hcp_id"), ("Publication", "pmid")], size=50)
    written = [row for job in jobs for row in job.rows]
    assert sorted(map(repr, written)) == sorted(map(repr, rows.to_dict("records")))
    colour = dict(zip(HCPS + PMIDS, list(colours(HCPS)) + list(colours(PMIDS))))
    for job in jobs:
        assert len(job.rows) <= 50 and job.weight == len(job.rows)
        for row in job.rows:
            assert ("HCP", colour[row["hcp_id"]]) in job.tokens
            assert ("Publication", colour[row["pmid"]]) in job.tokens
        assert len(job.tokens) == 2  # one colour per end: a class, not a mix


def test_grouped_link_jobs_look_each_node_up_once_per_batch():
    rows = authorship_rows()
    jobs = link_jobs(
        "q",
        rows,
        [("HCP", "hcp_id"), ("Publication", "pmid")],
        size=100,
        group=("hcp_id", "publications"),
    )
    for job in jobs:
        keys = [group["hcp_id"] for group in job.rows]
        assert len(keys) == len(set(keys))
        assert job.weight == sum(len(group["publications"]) for group in job.rows)
    assert sum(job.weight for job in jobs) == len(rows)
    regrouped = sorted(
        (g["hcp_id"], p["pmid"], p["position"])
        for job in jobs
        for g in job.rows
        for p in g["publications"]
    )
    assert regrouped == sorted(zip(rows["hcp_id"], rows["pmid"], rows["position"]))
    assert all(
        type(p["position"]) is int for job in jobs for g in job.rows for p in g["publications"]
    )  # plain Python values, as the driver wants


def test_node_jobs_hold_no_tokens():
    jobs = node_jobs("merge_hcps", [{"hcp_id": h} for h in HCPS], size=64)
    assert [len(j.rows) for j in jobs] == [64, 64, 64, 8]
    assert all(not j.tokens for j in jobs)


def test_lazy_node_jobs_build_their_rows_from_their_own_slice():
    frame = pd.DataFrame({"hcp_id": HCPS})
    jobs = node_jobs("merge_hcps", frame, size=64, encode=lambda part: part["hcp_id"].tolist())
    assert [j.weight for j in jobs] == [64, 64, 64, 8]
    assert [h for job in jobs for h in job.payload()] == HCPS


def test_jobs_in_flight_never_share_a_token():
    """Each write is held until the scheduler can start no other job (three in flight, or
    every pending job shares a token with one in flight): every overlap the scheduler allows
    happens, with no timing involved."""
    rows = authorship_rows()
    jobs = link_jobs("q", rows, [("HCP", "hcp_id"), ("HCP", "pmid")], size=20)
    pending, in_flight, clashes, done, most = list(jobs), [], [], [], [0]
    changed = threading.Condition()

    def saturated() -> bool:
        held = set().union(*(j.tokens for j in in_flight))
        return len(in_flight) == 3 or all(j.tokens & held for j in pending)

    def write(_session, job):
        with changed:
            clashes.extend(j for j in in_flight if j.tokens & job.tokens)
            pending[:] = [j for j in pending if j is not job]
            in_flight.append(job)
            most[0] = max(most[0], len(in_flight))
            changed.notify_all()
            assert changed.wait_for(saturated, timeout=60), "the scheduler stalled"
            in_flight[:] = [j for j in in_flight if j is not job]
            done.append(job)
            changed.notify_all()

    run_jobs(jobs, write, nullcontext, lambda _n: None, writers=3)
    assert clashes == []
    assert most[0] == 3  # the writers did overlap
    assert sorted(map(id, done)) == sorted(map(id, jobs))


def test_progress_hears_every_weight():
    jobs = node_jobs("q", list(range(95)), size=10)
    heard = []
    run_jobs(jobs, lambda _s, _j: None, nullcontext, heard.append)
    assert sum(heard) == 95


def test_the_first_error_stops_the_writers_and_is_raised(monkeypatch):
    """The first job fails; every other write is held until the run has stopped, so each
    writer finishes at most the one job it took before the failure."""
    jobs = node_jobs("q", list(range(100)), size=1)
    written, stopped = [], threading.Event()
    real_stop = bulk._Board.stop

    def stop(board):
        real_stop(board)
        stopped.set()

    def write(_session, job):
        if job.rows == [0]:
            raise RuntimeError("server went away")
        assert stopped.wait(timeout=60), "the failure did not stop the run"
        written.append(job)

    monkeypatch.setattr(bulk._Board, "stop", stop)
    with pytest.raises(RuntimeError, match="server went away"):
        run_jobs(jobs, write, nullcontext, lambda _n: None, writers=3)
    assert len(written) <= 2  # the other two writers took no job after the failure
