"""Co-authorship pairs derived from authorships, computed with numpy.

One row per unordered pair of HCPs sharing a publication (``hcp_a < hcp_b``), with
``papers`` (shared publications) and ``first_year`` / ``last_year`` (years of the earliest
and latest of them).  Used by the embedded store on a first load (the pairs come straight
from the batch in memory) and by analytics on hand-made frames.

Only publications with at most ``max_authors`` authors (:data:`MAX_AUTHORS` by default)
make pairs: a consortium paper with 5,000 authors would make 12.5 million pairs that say
nothing about who works with whom (``docs/influence.md``, "Hyperauthored papers").  Its
authorships are kept; the cap only bounds the derived links, so the pairs grow with the
authorships, not with their square.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS as MAX_AUTHORS
from kolgraph.schema import COAUTHORSHIP_COLUMNS

#: Pair instances made at once by :func:`pair_instance_keys` (a few arrays of this many int64).
SLICE_INSTANCES = 1 << 20


@dataclass(frozen=True)
class CoauthorEdges:
    """The co-author graph in numbers, as a store may keep it: pair ``i`` joins the HCPs at
    positions ``a[i] < b[i]`` of ``hcp_ids`` (sorted), who share ``papers[i]`` papers; pairs
    sorted by ``(a, b)``, as ``coauthorships`` rows are by ``(hcp_a, hcp_b)``."""

    hcp_ids: np.ndarray
    a: np.ndarray
    b: np.ndarray
    papers: np.ndarray

    @classmethod
    def of_rows(cls, rows: list[tuple[str, str, int]]) -> CoauthorEdges:
        """From ``(hcp_a, hcp_b, papers)`` rows with ``hcp_a < hcp_b`` (numbered by the ids
        they hold)."""
        if not rows:
            empty = np.array([], dtype=np.int64)
            return cls(np.array([], dtype=str), empty, empty, empty)
        a, b, papers = zip(*rows)
        codes, hcp_ids = pd.factorize(np.array(a + b, dtype=object), sort=True)
        low, high = codes[: len(a)].astype(np.int64), codes[len(a) :].astype(np.int64)
        order = np.lexsort((high, low))
        return cls(
            np.asarray(hcp_ids, dtype=str), low[order], high[order], np.asarray(papers)[order]
        )


@dataclass(frozen=True)
class NumberedAuthorships:
    """Authorships as codes: authorship ``i`` is by ``hcp_ids[person[i]]`` on paper
    ``pmids[paper[i]]``.  ``hcp_ids`` is sorted, so person code order is id order (a pair's
    ``a < b``); ``pmids`` are in order of appearance."""

    hcp_ids: np.ndarray
    person: np.ndarray
    pmids: np.ndarray
    paper: np.ndarray

    @classmethod
    def of(cls, authorships: pd.DataFrame) -> NumberedAuthorships:
        """``authorships`` (pmid, hcp_id) numbered."""
        person, hcp_ids = pd.factorize(authorships["hcp_id"], sort=True)
        paper, pmids = pd.factorize(authorships["pmid"])
        codes = person.astype(np.int32), paper.astype(np.int32)  # half the memory at L
        return cls(hcp_ids.to_numpy(), codes[0], pmids.to_numpy(), codes[1])


@dataclass(frozen=True)
class DatedPairs:
    """Co-author pairs in numbers (``edges``: codes into the authors' sorted ids) with the
    years of each pair's first and last shared paper."""

    edges: CoauthorEdges
    first_year: np.ndarray
    last_year: np.ndarray

    def frame(self) -> pd.DataFrame:
        """One row per pair, as the ``coauthorships`` table holds them (counts and years
        int64, as analytics and the Neo4j import files have always read them)."""
        ids = self.edges.hcp_ids
        frame = pd.DataFrame(
            {
                "hcp_a": ids[self.edges.a],
                "hcp_b": ids[self.edges.b],
                "papers": self.edges.papers.astype(np.int64),
                "first_year": self.first_year.astype(np.int64),
                "last_year": self.last_year.astype(np.int64),
            }
        )
        return frame[list(COAUTHORSHIP_COLUMNS)]


def coauthorship_pairs(
    authorships: pd.DataFrame, publications: pd.DataFrame, max_authors: int = MAX_AUTHORS
) -> pd.DataFrame:
    """The pairs of ``authorships`` (pmid, hcp_id; unique), dated by ``publications`` (pmid, year),
    from publications with at most ``max_authors`` authorships.

    >>> auth = pd.DataFrame({"pmid": ["1", "1", "2", "2", "3", "3", "3"],
    ...                      "hcp_id": ["b", "a", "a", "b", "a", "b", "c"]})
    >>> pubs = pd.DataFrame({"pmid": ["1", "2", "3"], "year": [2019, 2021, 2022]})
    >>> coauthorship_pairs(auth, pubs, max_authors=2).values.tolist()
    [['a', 'b', 2, 2019, 2021]]
    """
    return dated_pairs(NumberedAuthorships.of(authorships), publications, max_authors).frame()


def dated_pairs(
    numbered: NumberedAuthorships, publications: pd.DataFrame, max_authors: int = MAX_AUTHORS
) -> DatedPairs:
    """:func:`coauthorship_pairs` in numbers, from authorships already numbered."""
    pmids = numbered.pmids
    paper_year = publications.set_index("pmid")["year"].reindex(pmids).to_numpy(dtype=np.int64)
    linked = np.bincount(numbered.paper, minlength=len(pmids))[numbered.paper] <= max_authors
    person, paper = numbered.person[linked], numbered.paper[linked]
    order = np.argsort(paper, kind="stable")
    person, paper = person[order], paper[order]
    del order, linked
    first_year = int(paper_year.min()) if len(paper_year) else 0
    year_bits = max(int(paper_year.max()) - first_year, 1).bit_length() if len(pmids) else 1
    n = len(numbered.hcp_ids)
    keys = pair_instance_keys(person, paper, n, paper_year[paper] - first_year, year_bits)
    del person, paper
    keys.sort()
    return _aggregate(keys, year_bits, first_year, numbered.hcp_ids)


def pair_instance_keys(
    person: np.ndarray,
    paper: np.ndarray,
    n: int,
    tags: np.ndarray | None = None,
    tag_bits: int = 0,
) -> np.ndarray:
    """One int64 per (author, co-author, shared paper), unsorted: ``low * n + high`` (the two
    person codes, ``0 <= code < n``), shifted left by ``tag_bits`` and or-ed with the first
    slot's ``tags`` value (``0 <= tag < 2 ** tag_bits``; a year, say).

    Slots are sorted by paper.  Papers of one author count are done together with one
    ``triu_indices``, a slice at a time into one array, so the temporaries stay small (every
    pair's codes and tags held at once took 3 GB for 11.7 M authorships).
    """
    if (n * n) << tag_bits >= 1 << 63:
        raise OverflowError(f"{n:,} people are too many to number their pairs in 63 bits")
    starts = np.flatnonzero(np.r_[True, paper[1:] != paper[:-1]]) if len(paper) else paper[:0]
    sizes = np.diff(np.r_[starts, len(paper)])
    keys = np.empty(int((sizes * (sizes - 1) // 2).sum()), dtype=np.int64)
    filled = 0
    for size in np.unique(sizes[sizes > 1]):
        i, j = np.triu_indices(size, 1)
        firsts = starts[sizes == size]
        step = max(1, SLICE_INSTANCES // len(i))
        for k in range(0, len(firsts), step):
            first = firsts[k : k + step, None]
            left, right = (first + i).ravel(), (first + j).ravel()
            a, b = person[left].astype(np.int64), person[right].astype(np.int64)
            part = np.minimum(a, b) * n + np.maximum(a, b)
            if tag_bits:
                part <<= tag_bits
                part |= tags[left]  # type: ignore[index]
            keys[filled : filled + len(part)] = part
            filled += len(part)
    return keys


def distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: numpy 2's ``np.unique`` hashes int64 keys first,
    several times slower on millions of them)."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def _aggregate(keys: np.ndarray, year_bits: int, first_year: int, ids: np.ndarray) -> DatedPairs:
    """Count and date the instances of each pair: ``keys`` sorted, each ``(a * n + b)``
    shifted left by ``year_bits`` and or-ed with its paper's year less ``first_year``."""
    pairs = keys >> year_bits
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]]) if len(keys) else keys[:0]
    unique = pairs[starts]
    del pairs
    ends = np.append(starts[1:], len(keys)) if len(starts) else starts
    years = (1 << year_bits) - 1
    n = max(len(ids), 1)
    # int32 (codes, counts, years): a first load at L holds 9.6 M pairs until its end
    return DatedPairs(
        CoauthorEdges(
            ids,
            (unique // n).astype(np.int32),
            (unique % n).astype(np.int32),
            (ends - starts).astype(np.int32),
        ),
        # keys of one pair are sorted by year: the first and last are its years' bounds
        first_year=((keys[starts] & years) + first_year).astype(np.int32),
        last_year=((keys[ends - 1] & years) + first_year).astype(np.int32),
    )
