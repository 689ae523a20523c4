"""Co-author and membership arrays after a steward correction, mended from the arrays of the
data before it instead of read whole again.

A merge or split changes the links of its HCPs only (the kept one and the merged or
split-off one).  So their rows, and every entry naming them, are dropped, the others are
renumbered in place (sorted ids keep their order: nothing is sorted again), and the touched
HCPs' links, read from the store after the correction, are put back.  At 500,000 HCPs that
is a second or two, where reading the graph whole is a quarter of a minute (the embedded
store's path graph) or a minute (the arrays a Neo4j server's web workers pull for reach).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from kolgraph.store.reach_arrays import NONE, HopArrays, membership_adjacencies, numbers_of

H = TypeVar("H", bound=HopArrays)


@dataclass(frozen=True)
class CorrectedLinks:
    """The links of a correction's HCPs after it, as the store holds them."""

    present: list[str]  # those of the corrected HCPs still stored (a merged one is gone)
    coauthorships: list[tuple[str, str, int]]  # (hcp_a, hcp_b, papers) touching any of them
    memberships: list[tuple[str, str]]  # (hcp_id, institution_id): their current affiliations


def mended(before: H, touched: list[str], links: CorrectedLinks) -> H | None:
    """``before`` (:class:`HopArrays`, or arrays extending them with ``coauthor_papers``)
    after a correction of the ``touched`` HCPs whose links are now ``links``.  None when one
    of their institutions is not in ``before`` (read the arrays whole then)."""
    hcp_ids, renumber, old = _renumbering(before, touched, links.present)
    a_ids, b_ids, papers = zip(*links.coauthorships) if links.coauthorships else ((), (), ())
    a, b = numbers_of(hcp_ids, list(a_ids)), numbers_of(hcp_ids, list(b_ids))
    members, places = zip(*links.memberships) if links.memberships else ((), ())
    their, at = numbers_of(hcp_ids, list(members)), numbers_of(before.institution_ids, list(places))
    if (at == NONE).any():
        return None
    counted = np.asarray(papers, dtype=np.int64)
    pointers, numbers, *values = _mended_csr(
        (before.coauthor_ptr, before.coauthor_idx, *_papers_of(before)),
        renumber,
        len(hcp_ids),
        old,
        (np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([counted, counted])),
    )
    rows, institutions = _entries(before.affiliation_ptr, before.affiliation_idx)
    stays = ~np.isin(rows, old)
    memberships = (
        np.concatenate([renumber[rows[stays]], their]),
        np.concatenate([institutions[stays], at]),
    )
    return dataclasses.replace(
        before,
        hcp_ids=hcp_ids,
        coauthor_ptr=pointers,
        coauthor_idx=numbers,
        **dict(zip(("coauthor_papers",), values)),
        **membership_adjacencies(memberships, len(hcp_ids), len(before.institution_ids)),
    )


def _papers_of(arrays: HopArrays) -> tuple[np.ndarray, ...]:
    """The papers beside the co-author numbers, when the arrays count them."""
    papers = getattr(arrays, "coauthor_papers", None)
    return () if papers is None else (papers,)


def _renumbering(
    before: HopArrays, touched: list[str], present: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The HCP ids after a correction of ``touched`` (a merged HCP gone, a split-off one
    new), each old number's new one (:data:`NONE` for one gone), and the touched HCPs' old
    numbers."""
    removed = np.asarray(sorted(set(touched) - set(present)), dtype=str)
    hcp_ids = np.union1d(np.setdiff1d(before.hcp_ids, removed), np.asarray(present, dtype=str))
    old = before.hcp_numbers(touched)
    return hcp_ids, numbers_of(hcp_ids, before.hcp_ids.tolist()), old[old != NONE]


def _mended_csr(
    adjacency: tuple[np.ndarray, ...],
    renumber: np.ndarray,
    n_rows: int,
    old: np.ndarray,
    added: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, ...]:
    """The co-author adjacency ``(pointers, numbers[, papers])`` without the rows of the
    HCPs numbered ``old`` nor any entry naming them, renumbered (``renumber``: old number ->
    new, :data:`NONE` for an HCP gone; ``n_rows`` HCPs now), with the ``added`` entries
    ``(row, number, papers)`` (new numbers) in their sorted places."""
    counts, numbers, *values = _carried(adjacency, renumber, n_rows, old)
    start = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    rows, cols, papers = (np.asarray(x, dtype=np.int64) for x in added)
    order = np.lexsort((cols, rows))
    rows, cols, papers = rows[order], cols[order], papers[order]
    places = [
        start[r] + np.searchsorted(numbers[start[r] : start[r + 1]], c)
        for r, c in zip(rows.tolist(), cols.tolist())
    ]
    counts += np.bincount(rows, minlength=n_rows)
    pointers = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=pointers[1:])
    return (
        pointers,
        np.insert(numbers, places, cols.astype(numbers.dtype)),
        *(np.insert(v, places, papers.astype(v.dtype)) for v in values),
    )


def _carried(
    adjacency: tuple[np.ndarray, ...],
    renumber: np.ndarray,
    n_rows: int,
    old: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Each new row's count, and the numbers (and papers) of the entries
    :func:`_mended_csr` keeps.  Renumbering keeps the order of sorted ids, so they stay
    sorted: 19 million entries at 500,000 HCPs are copied, not sorted again."""
    pointers, numbers, *values = adjacency
    keep = ~np.isin(numbers, old)
    for row in old.tolist():
        keep[pointers[row] : pointers[row + 1]] = False
    dropped_rows = np.searchsorted(pointers, np.flatnonzero(~keep), side="right") - 1
    kept_counts = np.diff(pointers) - np.bincount(dropped_rows, minlength=len(pointers) - 1)
    counts = np.zeros(n_rows, dtype=np.int64)
    alive = renumber != NONE
    counts[renumber[alive]] = kept_counts[alive]
    return counts, renumber.astype(numbers.dtype)[numbers[keep]], *(v[keep] for v in values)


def _entries(pointers: np.ndarray, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An adjacency's (row, number) entries, as int64."""
    rows = np.repeat(np.arange(len(pointers) - 1, dtype=np.int64), np.diff(pointers))
    return rows, np.asarray(numbers, dtype=np.int64)
