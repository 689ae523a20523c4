"""Reach over :class:`~.network_file.NetworkArrays`: every HCP's nearest engaged HCPs at
once, in a few vectorised passes over the arrays instead of a walk per HCP.

The answers are :class:`~kolgraph.store.reach_index.ReachIndex`'s: ``first`` is the smallest
engaged id one hop away (a co-author, or another current member of one of the HCP's
institutions), ``second`` the smallest ``first`` among those neighbours.  Node numbers
follow sorted ids, so "smallest id" is a minimum over numbers; :data:`UNSET` stands for none.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from kolgraph.store.reach_index import HopMatrices
from kolgraph.store.sqlite.network_file import NetworkArrays

UNSET = np.iinfo(np.int64).max


class WindowReach:
    """The nearest engaged HCPs of every HCP for one engagement window."""

    def __init__(self, graph: NetworkArrays, engaged: np.ndarray):
        """``engaged``: the numbers of the HCPs engaged in the window."""
        self._graph = graph
        mask = np.zeros(len(graph.hcp_ids), dtype=bool)
        mask[engaged] = True
        own = np.where(mask, np.arange(len(mask), dtype=np.int64), UNSET)
        self.first = _nearest(graph, own)
        self.second = _nearest(graph, self.first)

    def nearest(self, hcp_ids: list[str], hops: int) -> dict[str, str]:
        """hcp_id -> the smallest engaged id ``hops`` (1 or 2) hops away, where there is one."""
        numbers = self._graph.hcp_numbers(hcp_ids)
        found = self.first if hops == 1 else self.second
        values = np.where(numbers >= 0, found[np.maximum(numbers, 0)], UNSET)
        held = values != UNSET
        vias = self._graph.hcp_ids[values[held]].tolist()
        return dict(zip(np.asarray(hcp_ids, dtype=object)[held].tolist(), vias))


def _nearest(graph: NetworkArrays, value: np.ndarray) -> np.ndarray:
    """Per HCP, the smallest ``value`` of a neighbour: a co-author, or another current
    member of one of its institutions."""
    coauthors = _segment_min(graph.coauthor_ptr, value[graph.coauthor_idx])
    members = _smallest_other_member(graph, value)
    return np.minimum(coauthors, members)


def _smallest_other_member(graph: NetworkArrays, value: np.ndarray) -> np.ndarray:
    """Per HCP, the smallest ``value`` of a co-member other than itself, over its current
    institutions: an institution's smallest value, or its next one for the one member
    holding the smallest alone."""
    member_values = value[graph.member_idx]
    rows = _row_of_each(graph.member_ptr)
    low = _segment_min(graph.member_ptr, member_values)
    at_low = member_values == low[rows]
    holders = np.bincount(rows[at_low], minlength=len(low))
    next_low = _segment_min(graph.member_ptr, np.where(at_low, UNSET, member_values))
    hcps = _row_of_each(graph.affiliation_ptr)
    institutions = graph.affiliation_idx
    alone_at_low = (value[hcps] == low[institutions]) & (holders[institutions] == 1)
    candidate = np.where(alone_at_low, next_low[institutions], low[institutions])
    return _segment_min(graph.affiliation_ptr, candidate)


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


def network_matrices(graph: NetworkArrays) -> HopMatrices:
    """Per-MSL reach's 0/1 matrices (:func:`~kolgraph.store.reach_index.hop_counts_in`)
    over the arrays, without copying their adjacency."""
    hcps, institutions = len(graph.hcp_ids), len(graph.institution_ids)
    return HopMatrices(
        row=dict(zip(graph.hcp_ids.tolist(), range(hcps))),
        coauthors=_matrix(graph.coauthor_ptr, graph.coauthor_idx, hcps),
        members=_matrix(graph.affiliation_ptr, graph.affiliation_idx, institutions),
    )


def _matrix(pointers: np.ndarray, numbers: np.ndarray, columns: int) -> sparse.csr_matrix:
    ones = np.ones(len(numbers), dtype=np.float32)
    return sparse.csr_matrix((ones, numbers, pointers), shape=(len(pointers) - 1, columns))
