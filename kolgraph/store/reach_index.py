"""Reach: the engaged HCP nearest each HCP within two hops (co-authorship or a shared current
institution), for one engagement window, from adjacency both stores build once per data version.

Each store keeps a :class:`WindowCache` of reach indexes per data version (``cached("reach", ...)``) and
answers :meth:`~kolgraph.store.base.GraphReads.engaged_neighbour` from it, so a gaps question
never walks an institution's members once per gap.  Per-MSL reach (:func:`hop_counts`, which
needs counts, not the nearest HCP) multiplies sparse 0/1 matrices of the same adjacency, kept
with it: a column per MSL.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

import numpy as np
from scipy import sparse

T = TypeVar("T")


@dataclass(frozen=True)
class Adjacency:
    """Co-authors, and current affiliations both ways."""

    coauthors: dict[str, list[str]]
    institutions: dict[str, list[str]]  # hcp_id -> current institution ids
    members: dict[str, list[str]]  # institution_id -> current member hcp ids

    @cached_property
    def matrices(self) -> HopMatrices:
        """The same graph as sparse matrices (built on first use, kept with the adjacency)."""
        return HopMatrices.of(self)


@dataclass(frozen=True)
class HopMatrices:
    """Co-authorship (HCP x HCP, both directions) and current membership (HCP x institution)
    as 0/1 sparse matrices, with the row of each HCP id."""

    row: dict[str, int]
    coauthors: sparse.csr_matrix
    members: sparse.csr_matrix

    @classmethod
    def of(cls, graph: Adjacency) -> HopMatrices:
        ids = set(graph.coauthors) | set(graph.institutions)
        row = {hcp_id: i for i, hcp_id in enumerate(sorted(ids))}
        column = {inst: j for j, inst in enumerate(sorted(graph.members))}
        a = [(row[h], row[c]) for h, cs in graph.coauthors.items() for c in cs if c in row]
        b = [(row[h], column[i]) for h, insts in graph.institutions.items() for i in insts]
        return cls(row, _matrix(a, len(row), len(row)), _matrix(b, len(row), len(column)))

    def rows(self, hcp_ids: Iterable[str]) -> np.ndarray:
        return np.array([self.row[h] for h in hcp_ids if h in self.row], dtype=np.int64)

    def one_hop(self, reached: sparse.csr_matrix) -> sparse.csr_matrix:
        """The HCPs (rows) one hop from those of each column of ``reached``."""
        return self.coauthors @ reached + self.members @ (self.members.T @ reached)


def _matrix(pairs: list[tuple[int, int]], n_rows: int, n_columns: int) -> sparse.csr_matrix:
    """A 0/1 matrix with a 1 at each (row, column) of ``pairs``."""
    cells = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    ones = np.ones(len(cells), dtype=np.float32)
    return sparse.csr_matrix((ones, (cells[:, 0], cells[:, 1])), shape=(n_rows, n_columns))


class ReachIndex:
    """The engaged HCPs nearest each HCP, for one engagement window, worked out on demand and
    kept: per institution, its two smallest engaged members and its two members with the
    smallest engaged neighbour, so a member's answer never walks its co-members."""

    def __init__(self, graph: Adjacency, engaged: frozenset[str]):
        self._graph = graph
        self._engaged = engaged
        self._first: dict[str, str | None] = {}
        self._members_engaged: dict[str, list[tuple[str, str]]] = {}
        self._members_first: dict[str, list[tuple[str, str]]] = {}

    def first(self, hcp_id: str) -> str | None:
        """The smallest engaged id one hop away."""
        if hcp_id not in self._first:
            coauthors = (c for c in self._graph.coauthors.get(hcp_id, ()) if c in self._engaged)
            members = (self._best(i, hcp_id, self._engaged_members) for i in self._own(hcp_id))
            self._first[hcp_id] = _smallest([*coauthors, *members])
        return self._first[hcp_id]

    def second(self, hcp_id: str) -> str | None:
        """The smallest engaged id among the neighbours' nearest, for an HCP not engaged."""
        coauthors = (self.first(c) for c in self._graph.coauthors.get(hcp_id, ()))
        members = (self._best(i, hcp_id, self._members_by_first) for i in self._own(hcp_id))
        return _smallest([*coauthors, *members])

    def _own(self, hcp_id: str) -> Iterable[str]:
        return self._graph.institutions.get(hcp_id, ())

    def _best(
        self, institution_id: str, other_than: str, ranked: Callable[[str], list[tuple[str, str]]]
    ) -> str | None:
        """The smallest value of the institution's ranked (value, member) pairs whose member
        is not ``other_than`` (two kept: one of them is another member)."""
        return next(
            (value for value, member in ranked(institution_id) if member != other_than), None
        )

    def _engaged_members(self, institution_id: str) -> list[tuple[str, str]]:
        if institution_id not in self._members_engaged:
            members = self._graph.members.get(institution_id, ())
            engaged = sorted(m for m in members if m in self._engaged)[:2]
            self._members_engaged[institution_id] = [(m, m) for m in engaged]
        return self._members_engaged[institution_id]

    def _members_by_first(self, institution_id: str) -> list[tuple[str, str]]:
        if institution_id not in self._members_first:
            members = self._graph.members.get(institution_id, ())
            pairs = ((self.first(m), m) for m in members)
            ranked = sorted((v, m) for v, m in pairs if v is not None)
            # Two pairs with distinct values cover any member asking (its own pair aside).
            self._members_first[institution_id] = _two_distinct_members(ranked)
        return self._members_first[institution_id]


class WindowCache(Generic[T]):
    """What was worked out for the last few engagement windows asked for (each store keeps
    one per data version): a gaps page and the dashboard ask the same window again."""

    WINDOWS = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: OrderedDict[tuple[str, str], T] = OrderedDict()

    def window(self, since: str, as_of: str, build: Callable[[], T]) -> T:
        """The value kept for the window ``since``..``as_of``, or ``build()`` kept now."""
        key = (since, as_of)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        value = build()
        with self._lock:
            self._held[key] = value
            while len(self._held) > self.WINDOWS:
                self._held.popitem(last=False)
        return value


def hop_counts(
    graph: Adjacency, engaged: Mapping[str, Collection[str]], targets: dict[str, list[str]]
) -> dict[str, dict[int | None, int]]:
    """Per group (an MSL), how many of its targets are 0, 1 or 2 hops (None: farther) from
    the group's ``engaged`` HCPs; a hop joins co-authors or current co-members of an
    institution.

    Sparse matrix products, a column per group, for the groups sharing one target list at
    once: the HCPs one hop from each group's engaged ones, then which targets are one hop
    from those.  A big institution costs its size once per product, not once per member.

    >>> graph = Adjacency({"a": ["b"], "b": ["a"]}, {"b": ["J"], "c": ["J"]}, {"J": ["b", "c"]})
    >>> hop_counts(graph, {"m": {"a"}}, {"m": ["a", "b", "c", "d"]})
    {'m': {0: 1, 1: 1, 2: 1, None: 1}}
    """
    return hop_counts_in(graph.matrices, engaged, targets)


def hop_counts_in(
    matrices: HopMatrices, engaged: Mapping[str, Collection[str]], targets: dict[str, list[str]]
) -> dict[str, dict[int | None, int]]:
    """:func:`hop_counts` over the graph's matrices."""
    sharing: dict[tuple[str, ...], list[str]] = {}
    for group, ids in sorted(targets.items()):
        sharing.setdefault(tuple(ids), []).append(group)
    found: dict[str, dict[int | None, int]] = {}
    for shared, groups in sharing.items():
        found.update(_hop_counts(matrices, engaged, list(shared), groups))
    return found


def _hop_counts(
    m: HopMatrices, engaged: Mapping[str, Collection[str]], ids: list[str], groups: list[str]
) -> dict[str, dict[int | None, int]]:
    rows = m.rows(ids)  # targets without a link: engaged themselves, or out of reach
    unlinked = [t for t in ids if t not in m.row]
    pairs = [(i, j) for j, g in enumerate(groups) for i in m.rows(engaged.get(g, ()))]
    start = _matrix(pairs, len(m.row), len(groups))
    first = m.one_hop(start)
    second = m.coauthors[rows] @ first + m.members[rows] @ (m.members.T @ first)
    reached = [start[rows].toarray() > 0, first[rows].toarray() > 0, second.toarray() > 0]
    hops = np.select(reached, [0, 1, 2], default=-1)
    counts: dict[str, dict[int | None, int]] = {}
    for j, group in enumerate(groups):
        column = hops[:, j]
        held: dict[int | None, int] = {h: int((column == h).sum()) for h in (0, 1, 2)}
        held[0] += len(set(unlinked) & set(engaged.get(group, ())))
        counts[group] = {**held, None: len(ids) - sum(held.values())}
    return counts


def _smallest(values: Iterable[str | None]) -> str | None:
    return min((v for v in values if v is not None), default=None)


def _two_distinct_members(ranked: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first ranked pair, and the first after it of another member."""
    kept = ranked[:1]
    kept += [pair for pair in ranked[1:] if pair[1] != kept[0][1]][:1] if kept else []
    return kept
