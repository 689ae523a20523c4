"""Each HCP's distinct MeSH terms over its publications, computed with numpy.

The embedded store keeps them (``hcp_topics``) for suggestions and search.  Its SQL
derivation parses the terms of every authorship's publication again (11.7 M authorships at
L: 76 s of a first load).  From a batch in memory each publication's terms are numbered
once and the (HCP, term) pairs made and deduplicated as integers, the authorships of a
chunk of HCPs at a time, so the 58 M pairs before deduplication at L are never held at once.
"""

from __future__ import annotations

from itertools import chain, pairwise

import numpy as np
import pandas as pd

from kolgraph.coauthorship import distinct

#: Authorships whose (HCP, term) pairs are made at once (about 5 M pairs, 40 MB each array).
CHUNK_AUTHORSHIPS = 1_000_000


def hcp_topic_rows(authorships: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """(hcp_id, term) for each distinct MeSH term of each HCP's publications, sorted; every
    authorship's ``pmid`` must be one of ``publications`` (unique ``pmid``, ``mesh_terms``
    lists, None or empty when a paper has none).

    >>> auth = pd.DataFrame({"pmid": ["1", "2", "2", "3"], "hcp_id": ["b", "a", "b", "a"]})
    >>> pubs = pd.DataFrame({"pmid": ["1", "2", "3"],
    ...                      "mesh_terms": [["Y", "X", "Y"], ["Y"], None]})
    >>> hcp_topic_rows(auth, pubs).values.tolist()
    [['a', 'Y'], ['b', 'X'], ['b', 'Y']]
    """
    lists = publications["mesh_terms"].tolist()
    lengths = np.fromiter((len(v) if v else 0 for v in lists), dtype=np.int64, count=len(lists))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(chain.from_iterable(v for v in lists if v))
    term_of, terms = pd.factorize(flat, sort=True)
    starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    paper = pd.Index(publications["pmid"]).get_indexer(authorships["pmid"])
    person, hcp_ids = pd.factorize(authorships["hcp_id"], sort=True)
    # By person, so no two chunks share a key: each chunk's distinct keys are final, and
    # in order.
    order = np.argsort(person, kind="stable")
    person, paper = person[order], paper[order]
    del order
    n_terms = max(len(terms), 1)
    parts = [
        _pair_keys(person[chunk], paper[chunk], starts, lengths, term_of, n_terms)
        for chunk in _person_chunks(person)
    ]
    unique = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "hcp_id": np.asarray(hcp_ids, dtype=object)[unique // n_terms],
            "term": np.asarray(terms, dtype=object)[unique % n_terms],
        }
    )


def _person_chunks(person: np.ndarray) -> list[slice]:
    """Slices of about :data:`CHUNK_AUTHORSHIPS` of ``person`` (sorted), never splitting
    one person's authorships."""
    cuts = [0]
    while cuts[-1] < len(person):
        end = cuts[-1] + CHUNK_AUTHORSHIPS
        last = min(end, len(person)) - 1
        cuts.append(int(np.searchsorted(person, person[last], side="right")))
    return [slice(a, b) for a, b in pairwise(cuts)]


def _pair_keys(
    person: np.ndarray,
    paper: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    term_of: np.ndarray,
    n_terms: int,
) -> np.ndarray:
    """``person * n_terms + term`` for each term of each authorship's paper, deduplicated.

    Authorship ``k`` of ``c_k`` terms owns positions ``C_k .. C_k + c_k - 1`` of the
    expansion (``C_k`` the terms before it); position ``p`` reads ``term_of`` at
    ``starts[paper_k] + p - C_k``."""
    counts = lengths[paper]
    before = np.cumsum(counts) - counts
    index = np.repeat(starts[paper] - before, counts) + np.arange(int(counts.sum()))
    return distinct(np.repeat(person.astype(np.int64), counts) * n_terms + term_of[index])
