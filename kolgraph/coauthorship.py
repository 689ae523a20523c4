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


@dataclass(frozen=True)
class CoauthorEdges:
    """The co-author graph in numbers, as a store may keep it: pair ``i`` joins the HCPs at
    positions ``a[i] < b[i]`` of ``hcp_ids`` (sorted), who share ``papers[i]`` papers; pairs
    sorted by ``(a, b)``, as ``coauthorships`` rows are by ``(hcp_a, hcp_b)``."""

    hcp_ids: np.ndarray
    a: np.ndarray
    b: np.ndarray
    papers: np.ndarray


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
    person, names = pd.factorize(authorships["hcp_id"], sort=True)  # code order == id order
    paper, pmids = pd.factorize(authorships["pmid"])
    paper_year = publications.set_index("pmid")["year"].reindex(pmids).to_numpy(dtype=np.int64)
    linked = np.bincount(paper, minlength=len(pmids))[paper] <= max_authors
    person, paper = person[linked], paper[linked]
    order = np.argsort(paper, kind="stable")
    a, b, year = pair_instances(person[order], paper[order], paper_year[paper[order]])
    low, high = np.minimum(a, b), np.maximum(a, b)
    return _aggregate(low * len(names) + high, year, names)


def pair_instances(person: np.ndarray, paper: np.ndarray, years: np.ndarray):
    """Every (author, co-author, year), one per shared paper (each pair once per paper).

    Slots are sorted by paper; papers of the same author count are handled
    together with one ``triu_indices`` each, so nothing loops per paper.
    """
    starts = np.flatnonzero(np.r_[True, paper[1:] != paper[:-1]])
    sizes = np.diff(np.r_[starts, len(paper)])
    parts = []
    for size in np.unique(sizes[sizes > 1]):
        first = starts[sizes == size][:, None]
        i, j = np.triu_indices(size, 1)
        left, right = (first + i).ravel(), (first + j).ravel()
        parts.append((person[left], person[right], years[left]))
    if not parts:
        return (np.empty(0, np.int64),) * 3
    return tuple(np.concatenate(column) for column in zip(*parts))


def distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: numpy 2's ``np.unique`` hashes int64 keys first,
    several times slower on millions of them)."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def _aggregate(keys: np.ndarray, years: np.ndarray, names: pd.Index) -> pd.DataFrame:
    """Count and date the instances of each pair key (``a * n + b``)."""
    order = np.argsort(keys, kind="stable")
    keys, years = keys[order], years[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.empty(0, int)
    unique = keys[starts]
    frame = pd.DataFrame(
        {
            "hcp_a": names.to_numpy()[unique // len(names)] if len(names) else [],
            "hcp_b": names.to_numpy()[unique % len(names)] if len(names) else [],
            "papers": np.diff(np.r_[starts, len(keys)]),
            "first_year": np.minimum.reduceat(years, starts) if len(keys) else [],
            "last_year": np.maximum.reduceat(years, starts) if len(keys) else [],
        }
    )
    return frame[list(COAUTHORSHIP_COLUMNS)]
