"""Conflict-free parallel batch writes for the Neo4j store.

Neo4j runs each transaction on one core, so a single writer leaves the other cores of the
server idle.  Two writers only help if their transactions never wait on each other: writing
a relationship locks both of its end nodes, and transactions touching the same nodes queue
behind each other's locks (or deadlock).  So every batch (a :class:`Job`) carries *tokens*,
one per node it may lock: the node's label and a colour, a stable hash of its key into one
of :data:`COLOURS`.  Rows are split by the colours of their end nodes before batching, and a
writer only takes a job whose tokens no job in flight holds: concurrent transactions never
share a node, so they never wait for a lock.

Node batches carry no tokens: new nodes with distinct keys lock nothing another batch needs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from operator import itemgetter

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
    """One write transaction: catalog query ``query`` run with ``{param: rows}``.

    ``tokens`` names the nodes it may lock (label, colour); ``weight`` is how many input
    rows it writes, for the progress bar.
    """

    query: str
    rows: list
    weight: int
    tokens: frozenset[Token] = field(default_factory=frozenset)
    param: str = "rows"


def colours(keys: Sequence[str]) -> np.ndarray:
    """Each key's colour in ``range(COLOURS)``: the same key always gets the same colour."""
    if not len(keys):
        return np.empty(0, dtype=np.int64)
    hashed = pd.util.hash_array(np.asarray(keys, dtype=object))
    return (hashed % COLOURS).astype(np.int64)


def node_jobs(query: str, rows: list[dict], size: int) -> list[Job]:
    """Batches of node rows (no tokens)."""
    return [Job(query, chunk, len(chunk)) for chunk in chunks(rows, size)]


def link_jobs(query: str, rows: list[dict], ends: Sequence[End], size: int,
              group: tuple[str, str] | None = None) -> list[Job]:
    """Batches of relationship rows, split by the colours of their ``ends``.

    With ``group=(key, into)``, the rows of a batch sharing ``row[key]`` are sent as one
    row ``{key: k, into: [rest of each row]}``, so the server looks that node up once;
    ``size`` still counts relationships.
    """
    classes: dict[tuple[int, ...], list[dict]] = {}
    codes = np.column_stack([colours([row[f] for row in rows]) for _, f in ends]) \
        if rows else np.empty((0, len(ends)), dtype=np.int64)
    for row, code in zip(rows, map(tuple, codes)):
        classes.setdefault(code, []).append(row)
    per_class = []
    for code, members in classes.items():
        if group is not None:
            members.sort(key=itemgetter(group[0]))  # a node's rows side by side: one lookup
        tokens = frozenset((label, c) for (label, _), c in zip(ends, code))
        per_class.append([Job(query, _grouped(chunk, group), len(chunk), tokens)
                          for chunk in chunks(members, size)])
    return interleave(per_class)


def _grouped(rows: list[dict], group: tuple[str, str] | None) -> list[dict]:
    if group is None:
        return rows
    key, into = group
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append({k: v for k, v in row.items() if k != key})
    return [{key: k, into: members} for k, members in groups.items()]


def interleave(lists: Sequence[list[Job]]) -> list[Job]:
    """The jobs of several lists taken in turn, so neighbours in the queue rarely clash."""
    return [job for layer in zip_longest(*lists) for job in layer if job is not None]


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


def run_jobs(jobs: list[Job], write: Callable[[object, Job], None],
             open_session: Callable[[], object], progress: Callable[[int], None],
             writers: int = WRITERS) -> None:
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
