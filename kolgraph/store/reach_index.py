"""Reach's caches and per-MSL counts, shared by both stores.

Each store keeps a :class:`WindowCache` of :class:`~kolgraph.store.reach_arrays.WindowReach`
per data version (``cached("reach", ...)``) and answers
:meth:`~kolgraph.store.base.GraphReads.window_reach` from it.  Per-MSL reach
(:func:`hop_counts_in`, which needs counts, not the nearest HCP) multiplies sparse 0/1
matrices of the same graph (:class:`HopMatrices`): a column per MSL.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

T = TypeVar("T")


@dataclass(frozen=True)
class HopMatrices:
    """Co-authorship (HCP x HCP, both directions) and current membership (HCP x institution)
    as 0/1 sparse matrices, with the row of each HCP id."""

    row: dict[str, int]
    coauthors: sparse.csr_matrix
    members: sparse.csr_matrix

    def rows(self, hcp_ids: Iterable[str]) -> np.ndarray:
        return np.array([self.row[h] for h in hcp_ids if h in self.row], dtype=np.int64)

    def one_hop(self, reached: sparse.csr_matrix) -> sparse.csr_matrix:
        """The HCPs (rows) one hop from those of each column of ``reached``."""
        return self.coauthors @ reached + self.members @ (self.members.T @ reached)


def _matrix(pairs: list[tuple[int, int]], n_rows: int, n_columns: int) -> sparse.csr_matrix:
    """A 0/1 matrix with a 1 at each (row, column) of ``pairs``."""
    from scipy import sparse  # here: only per-MSL reach needs it, not every command's start

    cells = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    ones = np.ones(len(cells), dtype=np.float32)
    return sparse.csr_matrix((ones, (cells[:, 0], cells[:, 1])), shape=(n_rows, n_columns))


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

    def followed(self, follow: Callable[[tuple[str, str], T], T]) -> WindowCache[T]:
        """A new cache holding ``follow((since, as_of), value)`` for each window held."""
        with self._lock:
            held = list(self._held.items())
        cache: WindowCache[T] = WindowCache()
        cache._held.update((key, follow(key, value)) for key, value in held)
        return cache


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
