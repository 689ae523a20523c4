"""A first load's kept arrays (path graph, authorships in numbers) made from its batch.

Scoring and the questions read the co-author graph and the authorships as arrays kept
beside the database (:mod:`.network_file`), made by the first process to ask for a data
version.  After the first load of an empty store that meant reading back from SQLite the
11.7 M authorships and 9.6 M co-author pairs just written (35 s at 500,000 HCPs, before
the scoring that follows the load could start), though the batch held them in memory and
the load had already numbered them for the pairs.  So that load makes the arrays from the
batch on its helper thread (:func:`batch_numbers`, while SQLite writes the MeSH terms), and
the store writes them as the files of the version the load made.

Numbers here are codes into the batch's own sorted authors; the stored HCPs (the batch's
and any the store held) are sorted ids too, so mapping one to the other keeps every order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import CoauthorEdges, DatedPairs, NumberedAuthorships


@dataclass(frozen=True)
class BatchNumbers:
    """The co-author graph and the authorships of a batch, numbered over its authors
    (``authors``, sorted): the graph as an adjacency (each row's numbers ascending, each
    pair in both rows), and the authorships with ``hcp`` codes into ``authors``."""

    authors: np.ndarray
    coauthor_ptr: np.ndarray
    coauthor_idx: np.ndarray
    coauthor_papers: np.ndarray
    authorships: AuthorshipNumbers

    def positions(self, hcp_ids: np.ndarray) -> np.ndarray:
        """Each of :attr:`authors`' position in ``hcp_ids`` (every stored HCP, sorted)."""
        at = pd.Index(hcp_ids, dtype=object).get_indexer(self.authors)  # no copies of the ids
        if (at < 0).any():  # the load checks references first: never, short of a bug
            raise ValueError("an author of the batch is not among the stored HCPs")
        return at.astype(np.int32)  # what it maps (19 M entries at L) stays int32

    def coauthor_csr(self, at: np.ndarray, n_hcps: int) -> tuple[np.ndarray, ...]:
        """The co-author adjacency over the ``n_hcps`` stored HCPs, the authors at
        :meth:`positions` ``at``, as (pointers, numbers, papers), as
        :func:`~kolgraph.store.reach_arrays.csr` makes it."""
        sizes = np.zeros(n_hcps, dtype=np.int64)
        sizes[at] = np.diff(self.coauthor_ptr)  # an HCP who wrote nothing has none
        pointers = np.zeros(n_hcps + 1, dtype=np.int64)
        np.cumsum(sizes, out=pointers[1:])
        return pointers, at[self.coauthor_idx], self.coauthor_papers

    def authorship_numbers(self, at: np.ndarray, hcp_ids: np.ndarray) -> AuthorshipNumbers:
        """The authorships with ``hcp`` numbered over ``hcp_ids``, where the authors are at
        :meth:`positions` ``at``."""
        return replace(self.authorships, hcp_ids=hcp_ids, hcp=at[self.authorships.hcp])


def batch_numbers(
    numbered: NumberedAuthorships,
    pairs: DatedPairs,
    authorships: pd.DataFrame,
    publications: pd.DataFrame,
) -> BatchNumbers | None:
    """The batch's arrays as the store will hold them after a first load into an empty
    store; None when the store would hold something else (a key repeated in the batch,
    which the store folds into one row; ids that are not text) and the arrays are then
    read back from the store as after any load."""
    if infer_dtype(numbered.hcp_ids) != "string" or infer_dtype(numbered.pmids) != "string":
        return None  # stored as text, they would sort another way
    numbers = _authorship_numbers(numbered, authorships["position"], publications)
    if numbers is None:
        return None
    return BatchNumbers(numbered.hcp_ids, *_adjacency(pairs.edges), numbers)


def _adjacency(edges: CoauthorEdges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs (``a < b``, in ``(a, b)`` order) as (pointers, numbers, papers) over the
    authors' codes.  A row holds its co-authors below it (the pairs where it is ``b``, in
    ``a`` order), then those above it (where it is ``a``, in ``b`` order): placed by
    counting, not by sorting 19 M entries, whose keys and order were the load's peak."""
    n = len(edges.hcp_ids)
    below, above = np.bincount(edges.b, minlength=n), np.bincount(edges.a, minlength=n)
    pointers = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(below + above, out=pointers[1:])
    numbers = np.empty(pointers[-1], dtype=np.int32)
    papers = np.empty(pointers[-1], dtype=np.int32)
    by_b = np.argsort(edges.b, kind="stable")  # within one b, a ascending
    rows = edges.b[by_b]
    at = pointers[rows] + np.arange(len(rows)) - _starts(below)[rows]
    numbers[at], papers[at] = edges.a[by_b], edges.papers[by_b]
    del by_b, rows
    at = pointers[edges.a] + below[edges.a] + np.arange(len(edges.a)) - _starts(above)[edges.a]
    numbers[at], papers[at] = edges.b, edges.papers
    return pointers, numbers, papers


def _starts(sizes: np.ndarray) -> np.ndarray:
    """Where each group starts in a sequence of groups of ``sizes``."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(sizes) else sizes


def _authorship_numbers(
    numbered: NumberedAuthorships, position: pd.Series, publications: pd.DataFrame
) -> AuthorshipNumbers | None:
    """:class:`AuthorshipNumbers` with ``hcp`` codes into ``numbered.hcp_ids``; papers
    numbered over every publication in pmid order, as the store lists them."""
    code, pmids = pd.factorize(publications["pmid"], sort=True)  # unique (the pairs need it)
    paper_of_code = pmids.get_indexer(numbered.pmids)
    if (paper_of_code < 0).any():
        return None  # a pmid the publications lack: not a batch loaded this way
    paper = paper_of_code.astype(np.int32)[numbered.paper]
    key = paper.astype(np.int64) * max(len(numbered.hcp_ids), 1) + numbered.person
    order = np.argsort(key, kind="stable")  # key order (pmid, hcp_id), as the table's
    key = key[order]
    if len(key) and (key[1:] == key[:-1]).any():
        return None
    year, citations = (np.empty(len(pmids)), np.empty(len(pmids)))
    year[code] = _as_stored(publications["year"])
    citations[code] = _as_stored(publications["citation_count"])
    return AuthorshipNumbers(
        hcp_ids=numbered.hcp_ids,
        hcp=numbered.person[order],
        paper=paper[order],
        position=_as_stored(position)[order],
        year=np.append(year, np.nan),  # the one paper of unknown year, as the store's has
        citations=np.append(citations, np.nan),
    )


def _as_stored(values: pd.Series) -> np.ndarray:
    """An integer column as the store gives it back, as floats (NaN: none): the store keeps
    ``int(value)``."""
    return np.trunc(pd.to_numeric(values).to_numpy(dtype=float, na_value=np.nan))
