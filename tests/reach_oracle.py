"""A test oracle for reach over arrays (``kolgraph.store.reach_arrays``): co-authors and
current memberships as dicts of lists, each HCP's nearest engaged HCP worked out by a walk
of its own, and the per-MSL matrices built from the same dicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from kolgraph.store.reach_index import HopMatrices


@dataclass(frozen=True)
class Adjacency:
    """Co-authors, and current affiliations both ways."""

    coauthors: dict[str, list[str]]
    institutions: dict[str, list[str]]  # hcp_id -> current institution ids
    members: dict[str, list[str]]  # institution_id -> current member hcp ids


def matrices_of(graph: Adjacency) -> HopMatrices:
    """The graph's per-MSL matrices, built from its dicts."""
    ids = set(graph.coauthors) | set(graph.institutions)
    row = {hcp_id: i for i, hcp_id in enumerate(sorted(ids))}
    column = {inst: j for j, inst in enumerate(sorted(graph.members))}
    a = [(row[h], row[c]) for h, cs in graph.coauthors.items() for c in cs if c in row]
    b = [(row[h], column[i]) for h, insts in graph.institutions.items() for i in insts]
    return HopMatrices(row, _matrix(a, len(row), len(row)), _matrix(b, len(row), len(column)))


def _matrix(pairs: list[tuple[int, int]], n_rows: int, n_columns: int) -> sparse.csr_matrix:
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


def _smallest(values: Iterable[str | None]) -> str | None:
    return min((v for v in values if v is not None), default=None)


def _two_distinct_members(ranked: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first ranked pair, and the first after it of another member."""
    kept = ranked[:1]
    kept += [pair for pair in ranked[1:] if pair[1] != kept[0][1]][:1] if kept else []
    return kept
