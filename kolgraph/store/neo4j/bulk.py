"""Conflict-free parallel batch writes for the Neo4j store.

Neo4j runs each transaction on one core, so a single writer leaves the other cores of the
server idle.  Two writers only help if their transactions never wait on each other: writing
a relationship locks both of its end nodes, and transactions touching the same nodes queue
behind each other's locks (or deadlock).  So every batch (a :class:`Job`) carries *tokens*,
one per node it may lock: the node's label and a colour, a stable hash of its key into one
of :data:`COLOURS`.  Rows are split by the colours of their end nodes before batching, and a
writer only takes a job whose tokens no job in flight holds: concurrent transactions never
share a node.  (They can still meet, rarely, on the lock of a relationship that heads both of
their nodes' chains; Neo4j reports a deadlock, which the driver retries like any transient
error.)

Node batches carry no tokens: new nodes with distinct keys lock nothing another batch needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from itertools import pairwise, zip_longest
from typing import Any

import numpy as np
import pandas as pd

#: Colours per node label: four make pairs of HCP colour classes disjoint often enough
#: that two writers always find work (two would leave half the co-author pairs serial).
COLOURS = 4

#: Concurrent write sessions (the server's cores a load may keep busy).
WRITERS = 2

Token = tuple[str, int]
End = tuple[str, str]  # (node label, field of the row holding that node's key)


@dataclass(frozen=True)
class Job:
    """One write transaction: catalog query ``query`` run with ``{"rows": job.payload()}``.

    ``tokens`` names the nodes it may lock (label, colour); ``weight`` is how many input
    rows it writes, for the progress bar.  With ``encode``, ``rows`` holds what it builds
    the rows from, when the job is sent (node rows: the first batch goes out at once, and
    writers build the next rows while the server works).
    """

    query: str
    rows: Sequence
    weight: int
    tokens: frozenset[Token] = field(default_factory=frozenset)
    encode: Callable[[Sequence], list] | None = None

    def payload(self) -> list:
        """The parameter rows to send."""
        return list(self.rows) if self.encode is None else self.encode(self.rows)


def colours(keys: Sequence[str]) -> np.ndarray:
    """Each key's colour in ``range(COLOURS)``: the same key always gets the same colour."""
    if not len(keys):
        return np.empty(0, dtype=np.int64)
    hashed = pd.util.hash_array(np.asarray(keys, dtype=object))
    return (hashed % COLOURS).astype(np.int64)


def node_jobs(
    query: str, rows: Sequence, size: int, encode: Callable[[Sequence], list] | None = None
) -> list[Job]:
    """Batches of node rows (no tokens); with ``encode``, of slices of ``rows`` (a list or a
    DataFrame) that ``encode`` turns into the rows when each batch is sent."""
    return [Job(query, chunk, len(chunk), encode=encode) for chunk in chunks(rows, size)]


def link_jobs(
    query: str,
    frame: pd.DataFrame,
    ends: Sequence[End],
    size: int,
    group: tuple[str, str] | None = None,
) -> list[Job]:
    """Batches of relationship rows (``frame``), split by the colours of their ``ends``.

    With ``group=(key, into)``, the rows of a batch sharing ``key`` are sent as one row
    ``{key: k, into: [rest of each row]}``, so the server looks that node up once; ``size``
    still counts relationships.  Rows become dicts one batch at a time, by pandas.
    """
    code = np.zeros(len(frame), dtype=np.int64)
    for _, column in ends:
        code = code * COLOURS + colours(frame[column].to_numpy())
    order = ["_class"] if group is None else ["_class", group[0]]
    ordered = frame.assign(_class=code).sort_values(order, kind="stable")
    per_class = []
    for value, part in ordered.groupby("_class", sort=False):
        tokens = _tokens(int(value), ends)
        rows = part.drop(columns="_class")
        per_class.append(
            [
                Job(
                    query,
                    _records(rows.iloc[i : i + size], group),
                    min(size, len(rows) - i),
                    tokens,
                )
                for i in range(0, len(rows), size)
            ]
        )
    return interleave(per_class)


def _tokens(code: int, ends: Sequence[End]) -> frozenset[Token]:
    """The (label, colour) of each end, from a class code (colours in mixed radix)."""
    tokens = []
    for label, _ in reversed(ends):
        code, colour = divmod(code, COLOURS)
        tokens.append((label, colour))
    return frozenset(tokens)


def _records(chunk: pd.DataFrame, group: tuple[str, str] | None) -> list[dict]:
    if group is None:
        return _dicts(chunk)
    key, into = group
    keys = chunk[key].tolist()
    members = _dicts(chunk.drop(columns=key))
    starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]] + [len(keys)]
    return [{key: keys[a], into: members[a:b]} for a, b in pairwise(starts)]


def _dicts(frame: pd.DataFrame) -> list[dict]:
    """One dict of plain Python values per row (``tolist`` unboxes a whole column at once,
    where ``to_dict("records")`` converts cell by cell)."""
    names = list(frame.columns)
    return [dict(zip(names, values)) for values in zip(*(frame[n].tolist() for n in names))]


def weightless(jobs: list[Job]) -> list[Job]:
    """``jobs`` counted as no loaded rows by the progress bar (they write derived data)."""
    return [replace(job, weight=0) for job in jobs]


def interleave(lists: Sequence[list[Job]]) -> list[Job]:
    """The jobs of several lists taken in turn, so neighbours in the queue rarely clash."""
    return [job for layer in zip_longest(*lists) for job in layer if job is not None]


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of ``size`` items (rows, for a DataFrame)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Board:
    """The jobs still to run, and the tokens held by the jobs in flight."""

    def __init__(self, jobs: list[Job]):
        self._pending = list(jobs)
        self._held: set[Token] = set()
        self._stopped = False
        self._changed = threading.Condition()

    def take(self) -> Job | None:
        """The first pending job sharing no token with a job in flight (waits for one);
        None when every job is taken or the run stopped."""
        with self._changed:
            while self._pending and not self._stopped:
                for index, job in enumerate(self._pending):
                    if self._held.isdisjoint(job.tokens):
                        self._held.update(job.tokens)
                        return self._pending.pop(index)
                self._changed.wait()
            return None

    def finish(self, job: Job) -> None:
        with self._changed:
            self._held.difference_update(job.tokens)
            self._changed.notify_all()

    def stop(self) -> None:
        """Hand out no more jobs (a writer failed)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


def run_jobs(
    jobs: list[Job],
    write: Callable[[Any, Job], None],
    open_session: Callable[[], AbstractContextManager[Any]],
    progress: Callable[[int], None],
    writers: int = WRITERS,
) -> None:
    """Run every job through ``write(session, job)`` on ``writers`` sessions at once.

    ``write`` runs one job in its own managed transaction.  The first error stops the
    other writers after their current job and is raised here.
    """
    if not jobs:
        return
    board, reported = _Board(jobs), threading.Lock()

    def writer() -> None:
        try:
            with open_session() as session:
                while (job := board.take()) is not None:
                    try:
                        write(session, job)
                    finally:
                        board.finish(job)
                    with reported:
                        progress(job.weight)
        except BaseException:
            board.stop()
            raise

    count = min(writers, len(jobs))
    if count == 1:
        writer()
        return
    with ThreadPoolExecutor(count, thread_name_prefix="kolgraph-writer") as pool:
        for future in [pool.submit(writer) for _ in range(count)]:
            future.result()
