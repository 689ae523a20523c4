"""Reach: the engaged HCP nearest each HCP within two hops (co-authorship or a shared current
institution), for one engagement window, from adjacency both stores build once per data version.

Each store keeps a :class:`ReachIndexes` per data version (``cached("reach", ...)``) and
answers :meth:`~kolgraph.store.base.GraphReads.engaged_neighbour` from it, so a gaps question
never walks an institution's members once per gap.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Adjacency:
    """Co-authors, and current affiliations both ways."""

    coauthors: dict[str, list[str]]
    institutions: dict[str, list[str]]  # hcp_id -> current institution ids
    members: dict[str, list[str]]  # institution_id -> current member hcp ids


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


#: What a :class:`ReachIndex` is for: an engagement window's ``since`` and ``as_of`` dates,
#: and the MSL whose touches count (None: the whole team's).
Window = tuple[str, str, str | None]


class ReachIndexes:
    """The :class:`ReachIndex` of the last few windows asked for, for one ``store_version``."""

    WINDOWS = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: OrderedDict[Window, ReachIndex] = OrderedDict()

    def window(
        self, graph: Adjacency, key: Window, engaged: Callable[[], frozenset[str]]
    ) -> ReachIndex:
        """The index of ``key``, built from ``engaged()`` when not held."""
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        index = ReachIndex(graph, engaged())
        with self._lock:
            self._held[key] = index
            while len(self._held) > self.WINDOWS:
                self._held.popitem(last=False)
        return index


def _smallest(values: Iterable[str | None]) -> str | None:
    return min((v for v in values if v is not None), default=None)


def _two_distinct_members(ranked: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first ranked pair, and the first after it of another member."""
    kept = ranked[:1]
    kept += [pair for pair in ranked[1:] if pair[1] != kept[0][1]][:1] if kept else []
    return kept
