"""Reach over a co-authorship and membership graph in arrays: every HCP's nearest engaged
HCPs at once, in a few vectorised passes instead of a walk per HCP.

Both stores answer reach from :class:`HopArrays`: the embedded store's memory-mapped path
graph (:class:`~.sqlite.network_file.NetworkArrays`, which extends them), Neo4j's pulled
once per network version.  ``first`` is the smallest engaged id one hop away (a co-author, or
another current member of one of the HCP's institutions), ``second`` the smallest ``first``
among those neighbours.  Node numbers follow sorted ids, so "smallest id" is a minimum over
numbers; :data:`UNSET` stands for none.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from kolgraph.coauthorship import CoauthorEdges
from kolgraph.store.reach_index import HopMatrices

if TYPE_CHECKING:
    from scipy import sparse

UNSET = np.iinfo(np.int64).max
#: Stands for "none" in an array of node numbers.
NONE = -1


@dataclass(frozen=True)
class HopArrays:
    """HCPs and institutions as sorted id arrays, and three adjacencies as (pointers,
    numbers) pairs: row ``i``'s neighbours are ``numbers[pointers[i]:pointers[i + 1]]``.

    Neo4j builds them from neighbour lists (:meth:`of`): at 500,000 HCPs a process holds
    0.2 GB where dicts of lists held 1.7 GB, in pages forked web workers share instead of
    copying as they touch them.  The embedded store's path graph extends them."""

    hcp_ids: np.ndarray  # str, sorted
    institution_ids: np.ndarray  # str, sorted
    coauthor_ptr: np.ndarray  # per HCP: co-authors (HCP numbers), both directions
    coauthor_idx: np.ndarray
    affiliation_ptr: np.ndarray  # per HCP: current institutions (institution numbers)
    affiliation_idx: np.ndarray
    member_ptr: np.ndarray  # per institution: current members (HCP numbers)
    member_idx: np.ndarray

    def hcp_numbers(self, hcp_ids: list[str]) -> np.ndarray:
        """Each id's number, :data:`NONE` for an id the graph does not hold."""
        return numbers_of(self.hcp_ids, hcp_ids)

    def coauthor_numbers_of(self, hcp_ids: list[str]) -> CoauthorEdges:
        """The co-authorships touching any of ``hcp_ids``, each once, in numbers (no id
        text made: a review reads those of every HCP of a name block)."""
        return self._pairs_once(*self._entries_of(hcp_ids))

    def _entries_of(self, hcp_ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every entry of the given HCPs' co-author slices: (HCP, co-author, papers)."""
        numbers = self.hcp_numbers(hcp_ids)
        rows = np.unique(numbers[numbers != NONE])
        at, sizes = gathered(self.coauthor_ptr, rows)
        return np.repeat(rows, sizes), self.coauthor_idx[at].astype(np.int64), self._papers_at(at)

    def _papers_at(self, at: np.ndarray) -> np.ndarray:
        """The papers of the entries at ``at``: 1 each, as these arrays do not count them
        (the path graph's do)."""
        return np.ones(len(at), dtype=np.int32)

    def _pairs_once(
        self, rows: np.ndarray, others: np.ndarray, papers: np.ndarray
    ) -> CoauthorEdges:
        """Slice entries as co-authorships, one per pair (``a < b``, sorted): a pair of two
        given HCPs is in both their slices."""
        low, high = np.minimum(rows, others), np.maximum(rows, others)
        _, first = np.unique(low * len(self.hcp_ids) + high, return_index=True)
        return CoauthorEdges(self.hcp_ids, low[first], high[first], papers[first])

    @classmethod
    def of(
        cls,
        coauthors: Iterable[tuple[str, list[str]]],
        members: Iterable[tuple[str, list[str]]],
    ) -> HopArrays:
        """From ``(hcp_id, its co-author ids)`` (both directions) and ``(institution_id, its
        current member ids)``, read one row at a time: ids are numbered as they come, and
        renumbered in sorted order at the end."""
        hcps: dict[str, int] = {}
        coauthor_rows, coauthor_cols = _numbered_lists(coauthors, hcps, hcps)
        institutions: dict[str, int] = {}
        member_rows, member_cols = _numbered_lists(members, institutions, hcps)
        hcp_ids, hcp_rank = _sorted_numbering(hcps)
        institution_ids, institution_rank = _sorted_numbering(institutions)
        pairs = hcp_rank[coauthor_rows], hcp_rank[coauthor_cols]
        memberships = hcp_rank[member_cols], institution_rank[member_rows]
        return cls(
            hcp_ids,
            institution_ids,
            **adjacencies(pairs, memberships, len(hcp_ids), len(institution_ids)),
        )


def adjacencies(
    coauthors: tuple[np.ndarray, np.ndarray],
    memberships: tuple[np.ndarray, np.ndarray],
    n_hcps: int,
    n_institutions: int,
    papers: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The adjacency fields of :class:`HopArrays` (and ``coauthor_papers`` when ``papers``
    are given) from numbered co-author pairs ``(a, b)``, each given in both directions, and
    current memberships ``(hcp, institution)``."""
    fields = ["coauthor_ptr", "coauthor_idx"] + (["coauthor_papers"] if papers is not None else [])
    return {
        **dict(zip(fields, csr(*coauthors, n_hcps, papers))),
        **membership_adjacencies(memberships, n_hcps, n_institutions),
    }


def membership_adjacencies(
    memberships: tuple[np.ndarray, np.ndarray], n_hcps: int, n_institutions: int
) -> dict[str, np.ndarray]:
    """The affiliation and member fields of :class:`HopArrays` from numbered current
    memberships ``(hcp, institution)``."""
    hcps, institutions = memberships
    return {
        **dict(zip(("affiliation_ptr", "affiliation_idx"), csr(hcps, institutions, n_hcps))),
        **dict(zip(("member_ptr", "member_idx"), csr(institutions, hcps, n_institutions))),
    }


def _numbered_lists(
    lists: Iterable[tuple[str, list[str]]], row_ids: dict[str, int], item_ids: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, item) of ``lists`` as numbers, numbering new ids in the order they come
    (``row_ids`` and ``item_ids`` grow; they may be one dict)."""
    rows, sizes, items = array("q"), array("q"), array("q")
    known = item_ids.get
    for row_id, item_list in lists:
        rows.append(row_ids.setdefault(row_id, len(row_ids)))
        sizes.append(len(item_list))
        found = list(map(known, item_list))  # a loop in C: most ids came before
        if None in found:
            found = [
                item_ids.setdefault(item, len(item_ids)) if number is None else number
                for number, item in zip(found, item_list)
            ]
        items.extend(cast("list[int]", found))  # every None numbered above
    return np.repeat(np.frombuffer(rows, np.int64), sizes), np.frombuffer(items, np.int64)


def _sorted_numbering(ids: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The ids sorted, and for each number given in order of arrival, its sorted position."""
    arrived = np.array(list(ids), dtype=str)
    order = np.argsort(arrived, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return arrived[order], rank


def csr(
    rows: np.ndarray, numbers: np.ndarray, n_rows: int, values: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """(pointers, numbers) with each row's numbers sorted, and ``values`` beside the
    numbers when given."""
    order = np.lexsort((numbers, rows))
    counts = np.bincount(rows, minlength=n_rows)
    pointers = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=pointers[1:])
    if values is None:
        return pointers, numbers[order].astype(np.int32)
    return pointers, numbers[order].astype(np.int32), values[order]


def numbers_of(sorted_ids: np.ndarray, wanted: list[str]) -> np.ndarray:
    """Each wanted id's position in ``sorted_ids``, :data:`NONE` where it is not there."""
    if not len(sorted_ids) or not wanted:
        return np.full(len(wanted), NONE, dtype=np.int64)
    asked = np.asarray(wanted, dtype=str)
    at = np.minimum(np.searchsorted(sorted_ids, asked), len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == asked, at, NONE)


class WindowReach:
    """The nearest engaged HCPs for one engagement window: one hop for every HCP at once,
    two hops for the HCPs asked about (a gaps answer asks for tens of thousands of 500,000)."""

    def __init__(self, graph: HopArrays, engaged: np.ndarray):
        """``engaged``: the numbers of the HCPs engaged in the window."""
        self._graph = graph
        mask = np.zeros(len(graph.hcp_ids), dtype=bool)
        mask[engaged] = True
        own = np.where(mask, np.arange(len(mask), dtype=np.int64), UNSET)
        self.first = _nearest(graph, own)

    def reach(
        self, hcp_ids: list[str], engaged: list[bool]
    ) -> tuple[list[int | None], list[str | None]]:
        """Each HCP's ``reach_hops`` and ``reach_via``, as two lists in the order asked: the
        fewest hops to an HCP engaged in the window and that HCP (the smallest id among
        those as near); 0 and itself when ``engaged``; None and None beyond two hops (a
        warm introduction goes no farther).  A hop joins co-authors, or two current members
        of an institution.  Tens of thousands at once at L, hence no dict per HCP."""
        numbers = self._graph.hcp_numbers(hcp_ids)
        near = np.full(len(hcp_ids), UNSET, dtype=np.int64)
        hops = np.ones(len(hcp_ids), dtype=np.int64)
        own = np.asarray(engaged, dtype=bool)
        open_ones = np.flatnonzero((numbers != NONE) & ~own)
        near[open_ones] = self.first[numbers[open_ones]]
        farther = open_ones[near[open_ones] == UNSET]
        near[farther] = _nearest(self._graph, self.first, numbers[farther])
        hops[farther] = 2
        found = near != UNSET
        vias = np.full(len(hcp_ids), None, dtype=object)
        vias[found] = self._graph.hcp_ids[near[found]].tolist()
        hops_out: list[int | None] = [
            0 if mine else (h if f else None)
            for mine, f, h in zip(own.tolist(), found.tolist(), hops.tolist())
        ]
        vias_out: list[str | None] = [
            hcp_id if mine else via for hcp_id, mine, via in zip(hcp_ids, own.tolist(), vias)
        ]
        return hops_out, vias_out


def _nearest(graph: HopArrays, value: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Per HCP (of ``rows``; every HCP when None), the smallest ``value`` of a neighbour: a
    co-author, or another current member of one of its institutions."""
    at, pointers = _entries(graph.coauthor_ptr, rows)
    coauthors = _segment_min(pointers, value[graph.coauthor_idx[at]])
    return np.minimum(coauthors, _smallest_other_member(graph, value, rows))


def _smallest_other_member(
    graph: HopArrays, value: np.ndarray, rows: np.ndarray | None
) -> np.ndarray:
    """Per HCP (of ``rows``; every HCP when None), the smallest ``value`` of a co-member
    other than itself, over its current institutions: an institution's smallest value, or
    its next one for the one member holding the smallest alone."""
    member_values = value[graph.member_idx]
    members_of = _row_of_each(graph.member_ptr)
    low = _segment_min(graph.member_ptr, member_values)
    at_low = member_values == low[members_of]
    holders = np.bincount(members_of[at_low], minlength=len(low))
    next_low = _segment_min(graph.member_ptr, np.where(at_low, UNSET, member_values))
    at, pointers = _entries(graph.affiliation_ptr, rows)
    asked = np.arange(len(pointers) - 1) if rows is None else rows
    hcps, institutions = np.repeat(asked, np.diff(pointers)), graph.affiliation_idx[at]
    alone_at_low = (value[hcps] == low[institutions]) & (holders[institutions] == 1)
    candidate = np.where(alone_at_low, next_low[institutions], low[institutions])
    return _segment_min(pointers, candidate)


def _entries(
    pointers: np.ndarray, rows: np.ndarray | None
) -> tuple[np.ndarray | slice, np.ndarray]:
    """The positions of the entries of ``rows`` and their own pointers (every entry, as
    they are, when ``rows`` is None)."""
    if rows is None:
        return slice(None), pointers
    at, sizes = gathered(pointers, rows)
    own = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=own[1:])
    return at, own


def gathered(pointers: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the entries of ``rows`` (row after row), and each row's count."""
    starts = pointers[rows]
    sizes = pointers[rows + 1] - starts
    return np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum()), sizes


def _row_of_each(pointers: np.ndarray) -> np.ndarray:
    """The row of every entry of a (pointers, numbers) adjacency."""
    return np.repeat(np.arange(len(pointers) - 1), np.diff(pointers))


def _segment_min(pointers: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row, the minimum of its slice of ``values`` (:data:`UNSET` for an empty row)."""
    found = np.full(len(pointers) - 1, UNSET, dtype=np.int64)
    filled = pointers[:-1] < pointers[1:]
    if filled.any():
        found[filled] = np.minimum.reduceat(values, pointers[:-1][filled])
    return found


def network_matrices(graph: HopArrays) -> HopMatrices:
    """Per-MSL reach's 0/1 matrices (:func:`~kolgraph.store.reach_index.hop_counts_in`)
    over the arrays, without copying their adjacency."""
    hcps, institutions = len(graph.hcp_ids), len(graph.institution_ids)
    return HopMatrices(
        row=dict(zip(graph.hcp_ids.tolist(), range(hcps))),
        coauthors=_matrix(graph.coauthor_ptr, graph.coauthor_idx, hcps),
        members=_matrix(graph.affiliation_ptr, graph.affiliation_idx, institutions),
    )


def _matrix(pointers: np.ndarray, numbers: np.ndarray, columns: int) -> sparse.csr_matrix:
    from scipy import sparse  # here: only per-MSL reach needs it, not every command's start

    ones = np.ones(len(numbers), dtype=np.float32)
    return sparse.csr_matrix((ones, numbers, pointers), shape=(len(pointers) - 1, columns))
