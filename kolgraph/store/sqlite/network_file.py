"""The embedded store's path graph as memory-mapped arrays, written once per version of the
graph (a load of touchpoints, MSLs or trials, or a rescore, carries them to the next).

Paths, introductions, suggestions and reach walk co-authorships and current affiliations
(reach asks SQL who was touched in its window: a logged touchpoint leaves these files as
they are, :meth:`~.store.EmbeddedStore.load`).
Reading the whole graph into Python dicts costs a fresh process half a minute at 500,000
HCPs (10 M co-author pairs), which a one-off CLI question cannot pay.  So the graph is kept
beside the database as numpy arrays in compressed-sparse-row form (an HCP's neighbours are
one slice), written after each load and scoring (:func:`write`, by whichever process first
needs a version) and memory-mapped by every process: opening them takes milliseconds, and a
question reads only the pages it touches.

Node numbers are positions in the sorted id arrays, so the smallest number is the smallest
id: reach's "smallest engaged HCP" is a minimum over numbers
(:mod:`kolgraph.store.reach_arrays`).

Scoring's authorships in numbers (:func:`read_authorship_numbers`) are kept the same way in
a folder of their own, written by the first scoring of a data version, so that writing the
path graph (after every CRM load, say) does not read 11.7 M authorships too.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.store.mended_arrays import CorrectedLinks, mended
from kolgraph.store.reach_arrays import (
    NONE,
    HopArrays,
    csr,
    gathered,
    membership_adjacencies,
    numbers_of,
)
from kolgraph.store.sqlite.catalog import json_list, sql

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from kolgraph.store.sqlite.batch_numbers import BatchNumbers

A = TypeVar("A")

#: Rows read from SQLite at a time while writing (bounds the Python objects alive at once).
CHUNK = 500_000


@dataclass(frozen=True)
class NetworkArrays(HopArrays):
    """Reach's :class:`~kolgraph.store.reach_arrays.HopArrays`, with the papers each
    co-author pair shares, for paths, suggestions and scoring."""

    coauthor_papers: np.ndarray  # beside coauthor_idx: the papers the two share

    # --- looking up ----------------------------------------------------------------------

    def institution_numbers(self, institution_ids: list[str]) -> np.ndarray:
        return numbers_of(self.institution_ids, institution_ids)

    def coauthor_edges(self) -> CoauthorEdges:
        """Every co-authorship once (``a < b``), in ``(a, b)`` order, as scoring reads it."""
        rows = np.repeat(np.arange(len(self.hcp_ids), dtype=np.int32), np.diff(self.coauthor_ptr))
        once = rows < self.coauthor_idx
        return CoauthorEdges(
            self.hcp_ids, rows[once], self.coauthor_idx[once], self.coauthor_papers[once]
        )

    def coauthorships_of(self, hcp_ids: list[str], min_papers: int) -> list[tuple[str, str, int]]:
        """The co-authorships with at least ``min_papers`` papers touching any of
        ``hcp_ids``, each once as ``(hcp_a, hcp_b, papers)`` with ``hcp_a < hcp_b``, as the
        ``coauthorships`` table holds them: slices of the arrays, not an indexed search."""
        rows, others, papers = self._entries_of(hcp_ids)
        keep = papers >= min_papers
        return self._edge_rows(self._pairs_once(rows[keep], others[keep], papers[keep]))

    def coauthorships_through(self, hcp_id: str, others: list[str]) -> list[tuple[str, str, int]]:
        """The co-authorships of ``hcp_id``, and those between one of ``others`` and a
        co-author of ``hcp_id``, each once as ``(hcp_a, hcp_b, papers)`` with
        ``hcp_a < hcp_b``."""
        rows, coauthors, papers = self._entries_of([hcp_id])
        their_rows, theirs, their_papers = self._entries_of(others)
        shared = np.isin(theirs, coauthors)
        once = self._pairs_once(
            np.concatenate([rows, their_rows[shared]]),
            np.concatenate([coauthors, theirs[shared]]),
            np.concatenate([papers, their_papers[shared]]),
        )
        return self._edge_rows(once)

    def coauthorships_among(
        self, hcp_ids: list[str], min_papers: int
    ) -> list[tuple[str, str, int]]:
        """The co-authorships with at least ``min_papers`` papers between two of
        ``hcp_ids``, each once as ``(hcp_a, hcp_b, papers)`` with ``hcp_a < hcp_b``."""
        rows, others, papers = self._entries_of(hcp_ids)
        keep = (rows < others) & (papers >= min_papers) & np.isin(others, rows)
        return self._edge_rows(CoauthorEdges(self.hcp_ids, rows[keep], others[keep], papers[keep]))

    def _papers_at(self, at: np.ndarray) -> np.ndarray:
        return self.coauthor_papers[at]

    def _edge_rows(self, edges: CoauthorEdges) -> list[tuple[str, str, int]]:
        ids = self.hcp_ids
        return list(zip(ids[edges.a].tolist(), ids[edges.b].tolist(), edges.papers.tolist()))

    def coauthors(self, hcp_id: str) -> list[str]:
        return self._hcp_slice(hcp_id, self.coauthor_ptr, self.coauthor_idx, self.hcp_ids)

    def coauthor_lists(self, hcp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """HCP number ``hcp``'s co-authors (numbers, ascending) and each one's own co-authors
        as (pointers, numbers)."""
        coauthors = _slice(self.coauthor_ptr, self.coauthor_idx, hcp).astype(np.int64)
        return coauthors, *self._lists(self.coauthor_ptr, self.coauthor_idx, coauthors)

    def member_lists(self, hcp: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """HCP number ``hcp``'s current institutions (ids, sorted) and each one's current
        members as (pointers, numbers)."""
        places = _slice(self.affiliation_ptr, self.affiliation_idx, hcp)
        return self.institution_ids[places].tolist(), *self._lists(
            self.member_ptr, self.member_idx, places
        )

    @staticmethod
    def _lists(
        pointers: np.ndarray, numbers: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        at, sizes = gathered(pointers, rows)
        starts = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        return starts, numbers[at].astype(np.int64)

    def institutions(self, hcp_id: str) -> list[str]:
        return self._hcp_slice(
            hcp_id, self.affiliation_ptr, self.affiliation_idx, self.institution_ids
        )

    def members(self, institution_id: str) -> list[str]:
        (number,) = self.institution_numbers([institution_id])
        if number == NONE:
            return []
        return _ids(self.hcp_ids, _slice(self.member_ptr, self.member_idx, number))

    def _hcp_slice(
        self, hcp_id: str, pointers: np.ndarray, numbers: np.ndarray, ids: np.ndarray
    ) -> list[str]:
        (number,) = self.hcp_numbers([hcp_id])
        return [] if number == NONE else _ids(ids, _slice(pointers, numbers, number))


def _slice(pointers: np.ndarray, numbers: np.ndarray, row: int) -> np.ndarray:
    return numbers[pointers[row] : pointers[row + 1]]


def _ids(ids: np.ndarray, numbers: np.ndarray) -> list[str]:
    return ids[numbers].tolist()


# --- writing ---------------------------------------------------------------------------------


def read_arrays(con: sqlite3.Connection) -> NetworkArrays:
    """The arrays of the graph ``con`` sees (call inside one read transaction)."""
    hcp_ids = _sorted_column(con, "list_hcp_ids")
    a, b, papers = _pairs(con, "list_coauthorship_ends", hcp_ids, hcp_ids)
    both = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([papers, papers])
    return _network_arrays(con, hcp_ids, csr(both[0], both[1], len(hcp_ids), both[2]))


def kept_from_batch(con: sqlite3.Connection, batch: BatchNumbers) -> dict[str, object]:
    """The kept arrays by kind (``network``, ``authorships``) after a first load wrote
    ``batch`` (call in its transaction, after its writes): the co-authorships and
    authorships from the batch, the HCPs and memberships from the tables."""
    hcp_ids = _sorted_column(con, "list_hcp_ids")
    at = batch.positions(hcp_ids)
    network = _network_arrays(con, hcp_ids, batch.coauthor_csr(at, len(hcp_ids)))
    return {"network": network, "authorships": batch.authorship_numbers(at, hcp_ids)}


def corrected_arrays(
    con: sqlite3.Connection, before: NetworkArrays, touched: list[str]
) -> NetworkArrays | None:
    """The path graph after a steward correction of the ``touched`` HCPs, mended from
    ``before``, the arrays of the data before it (:mod:`kolgraph.store.mended_arrays`; call
    in the correction's transaction, after its writes).  None when a touched HCP's
    institution is not in ``before`` (the graph is then read whole, as usual)."""
    asked = {"hcp_ids": json_list(touched)}
    links = CorrectedLinks(
        present=[hcp_id for (hcp_id,) in con.execute(sql("list_existing_hcp_ids"), asked)],
        coauthorships=con.execute(sql("list_coauthorship_ends_of"), asked).fetchall(),
        memberships=con.execute(sql("list_current_memberships_of"), asked).fetchall(),
    )
    return mended(before, touched, links)


def _network_arrays(
    con: sqlite3.Connection, hcp_ids: np.ndarray, coauthors: tuple[np.ndarray, ...]
) -> NetworkArrays:
    """The path graph of ``hcp_ids`` with the co-author adjacency ``coauthors`` (pointers,
    numbers, papers), and the current memberships read from the tables."""
    institution_ids = _sorted_column(con, "list_institution_ids")
    hcps, institutions, _ = _pairs(con, "list_current_memberships", hcp_ids, institution_ids)
    return NetworkArrays(
        hcp_ids=hcp_ids,
        institution_ids=institution_ids,
        **dict(zip(("coauthor_ptr", "coauthor_idx", "coauthor_papers"), coauthors)),
        **membership_adjacencies((hcps, institutions), len(hcp_ids), len(institution_ids)),
    )


def read_authorship_numbers(con: sqlite3.Connection) -> AuthorshipNumbers:
    """Every authorship of ``con`` in numbers, for scoring (call inside one read
    transaction).  Papers are numbered in pmid order; authorships of a pmid the
    publications lack (none, when the references were checked) share one paper of
    unknown year, which scoring leaves out as it leaves out any paper of unknown year."""
    hcp_index = pd.Index(_sorted_column(con, "list_hcp_ids"))
    rows = con.execute(sql("list_paper_numbers")).fetchall()
    pmids, years, citations = zip(*rows) if rows else ((), (), ())
    paper_index = pd.Index(pmids)
    hcps, papers, positions = [], [], []
    for chunk in _chunks(con.execute(sql("list_authorship_numbers"))):
        pmid, hcp_id, position = zip(*chunk)
        hcps.append(hcp_index.get_indexer(hcp_id).astype(np.int32))
        papers.append(paper_index.get_indexer(pmid).astype(np.int32))
        positions.append(np.asarray(position, dtype=float))
    paper = np.concatenate(papers) if papers else np.array([], dtype=np.int32)
    paper[paper == NONE] = len(pmids)  # the one paper of unknown year
    return AuthorshipNumbers(
        hcp_ids=hcp_index.to_numpy(dtype=str),
        hcp=np.concatenate(hcps) if hcps else np.array([], dtype=np.int32),
        paper=paper,
        position=np.concatenate(positions) if positions else np.array([], dtype=float),
        year=np.append(np.asarray(years, dtype=float), np.nan),
        citations=np.append(np.asarray(citations, dtype=float), np.nan),
    )


def _sorted_column(con: sqlite3.Connection, name: str) -> np.ndarray:
    """Statement ``name``'s one column of text, sorted (as Python sorts, as numpy would):
    one fixed-width array made, not a second to sort (500,000 ids of 40 letters: 80 MB)."""
    values = sorted(value for (value,) in con.execute(sql(name)))
    return np.asarray(values, dtype=str) if values else np.array([], dtype="<U1")


def _pairs(
    con: sqlite3.Connection, name: str, left_ids: np.ndarray, right_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Statement ``name``'s (left id, right id[, count]) rows as numbers, and the counts
    (1 when the statement has none); rows naming an id the arrays do not hold are left out."""
    lefts, rights, counts = [], [], []
    left_index = _lookup(left_ids)
    right_index = left_index if right_ids is left_ids else _lookup(right_ids)
    for chunk in _chunks(con.execute(sql(name))):
        left, right, *count = zip(*chunk)
        lefts.append(left_index.get_indexer(left))
        rights.append(right_index.get_indexer(right))
        counts.append(np.asarray(count[0] if count else np.ones(len(left)), dtype=np.int32))
    if not lefts:
        empty = np.array([], dtype=np.int32)
        return empty, empty, empty
    left_all, right_all = np.concatenate(lefts), np.concatenate(rights)
    known = (left_all != NONE) & (right_all != NONE)
    return (
        left_all[known].astype(np.int32),
        right_all[known].astype(np.int32),
        np.concatenate(counts)[known],
    )


def _lookup(sorted_ids: np.ndarray) -> pd.Index:
    """A hashed index of unique ``sorted_ids``: ``get_indexer`` gives each id's position,
    :data:`NONE` (-1) where it is not there, as :func:`numbers_of` does, but finds 100,000s
    of ids by hashing rather than a binary search of string comparisons (several times
    faster)."""
    return pd.Index(sorted_ids, dtype=object)


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[tuple]]:
    while rows := cursor.fetchmany(CHUNK):
        yield rows


def write(arrays: DataclassInstance, folder: Path) -> None:
    """Write ``arrays`` (a dataclass of arrays: :class:`NetworkArrays`, or another kept the
    same way) as ``folder``, created whole by a rename: a reader never sees half.  A
    complete folder another process wrote first is kept, an unreadable one replaced."""
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for field in fields(arrays):
            _save_private(partial / f"{field.name}.npy", getattr(arrays, field.name))
        try:
            os.rename(partial, folder)
        except OSError:
            if not folder.is_dir():
                raise
            if read(folder, type(arrays)) is None:  # an older kolgraph's, or half-removed
                shutil.rmtree(folder, ignore_errors=True)
                with suppress(OSError):  # another process may replace it first
                    os.rename(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _save_private(path: Path, array: np.ndarray) -> None:
    """Save ``array`` in a file only its owner can read (it holds names and touch dates)."""
    with os.fdopen(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as file:
        np.save(file, array, allow_pickle=False)


def read(folder: Path, kind: type[A]) -> A | None:
    """The arrays of ``kind`` written as ``folder``, memory-mapped (None when there are
    none, or not all of them)."""
    if not folder.is_dir():
        return None
    try:
        loaded = {
            field.name: np.load(folder / f"{field.name}.npy", mmap_mode="r", allow_pickle=False)
            for field in fields(kind)  # type: ignore[arg-type]
        }
    except (OSError, ValueError):
        return None  # half-removed by another process's clean-up: written again
    return kind(**loaded)


def holds_exactly(folder: Path, kind: type) -> bool:
    """Whether ``folder`` holds the arrays of ``kind`` and no others."""
    with suppress(OSError):
        held = {path.name for path in folder.iterdir()}
        return held == {f"{field.name}.npy" for field in fields(kind)}
    return False


def remove_others(folder: Path) -> None:
    """Remove the arrays of other data versions beside ``folder`` (``KIND-EPOCH-VERSION-STAMP``;
    a process still reading them keeps its mapping: the files go when it closes them)."""
    kind = folder.name.split("-", 1)[0]
    for other in folder.parent.glob(f"{kind}-*"):
        if other != folder:
            shutil.rmtree(other, ignore_errors=True)
