"""The co-author cap, on every store: a hyperauthored publication keeps its authorships but
makes no ``COAUTHORED_WITH`` pair (see ``docs/influence.md``, "Hyperauthored papers").

Both the first-load path (pairs computed from the batch) and the incremental path (pairs
recomputed in the store) are checked against a plain-Python recomputation.
"""

from __future__ import annotations

import random

import pytest
from sample import HCP_ROWS, expected_coauthorships, frame, rows

from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS

CAP = DEFAULT_COAUTHOR_MAX_AUTHORS


def _hcps(count: int) -> list[tuple]:
    """``count`` HCP rows, ``C000``, ``C001``... (the sample's columns, other ids)."""
    template = HCP_ROWS[0]
    return [
        (f"C{i:03d}", "Given", f"Family{i}", *template[3:10], None, None, None)
        for i in range(count)
    ]


def _batch(papers: dict[str, tuple[int, list[str]]], hcp_count: int) -> dict:
    """HCPs, and publications (pmid -> year, authors in byline order) with their authorships."""
    publications = [
        (pmid, f"Paper {pmid}", None, year, [], None) for pmid, (year, _) in papers.items()
    ]
    authorships = [
        (pmid, hcp, position)
        for pmid, (_, authors) in papers.items()
        for position, hcp in enumerate(authors, start=1)
    ]
    return {
        "hcps": frame("hcps", _hcps(hcp_count)),
        "publications": frame("publications", publications),
        "authorships": frame("authorships", authorships),
    }


def _ids(first: int, count: int) -> list[str]:
    return [f"C{i:03d}" for i in range(first, first + count)]


def _consortium_batch() -> dict:
    """AT (2015): exactly CAP authors C000..; ABOVE (2016): CAP + 1 authors C100..;
    SMALL (2017): C100, C101 and C000 (a pair also on ABOVE keeps this paper only)."""
    return _batch(
        {
            "AT": (2015, _ids(0, CAP)),
            "ABOVE": (2016, _ids(CAP, CAP + 1)),
            "SMALL": (2017, ["C100", "C101", "C000"]),
        },
        2 * CAP + 1,
    )


def _seed(store, hcp_count: int, papers: int = 20) -> None:
    """HCPs and single-author papers (no pairs), so that a later load is incremental and, with
    20 of them, touches under a quarter of the publications (the embedded store's per-pair
    path; above a quarter it recomputes every pair)."""
    store.load(_batch({f"S{i:02d}": (1999, ["C000"]) for i in range(papers)}, hcp_count))


def _pairs(store) -> set[tuple]:
    return rows(store.table("coauthorships"))


def _expected(store) -> set[tuple]:
    return expected_coauthorships(
        store.table("authorships"), store.table("publications"), store.coauthor_max_authors
    )


def test_the_default_cap(store):
    assert store.coauthor_max_authors == CAP == 100


def test_a_paper_above_the_cap_keeps_its_authorships_but_makes_no_pair(store):
    store.load(_consortium_batch())
    authorships = store.table("authorships")
    assert (authorships["pmid"] == "ABOVE").sum() == CAP + 1
    assert store.stats()["relationships"]["AUTHORED"] == 2 * CAP + 1 + 3
    pairs = _pairs(store)
    at_pairs = CAP * (CAP - 1) // 2
    # AT makes all its pairs, ABOVE none; SMALL adds C100-C101 and its two pairs with C000.
    assert len(pairs) == at_pairs + 3
    assert ("C100", "C101", 1, 2017, 2017) in pairs
    assert ("C000", "C001", 1, 2015, 2015) in pairs
    assert not any(a == "C102" or b == "C102" for a, b, *_ in pairs)
    assert pairs == _expected(store)
    assert store.stats()["relationships"]["COAUTHORED_WITH"] == len(pairs)


def test_incremental_loads_apply_the_cap(store):
    """The same papers, loaded so that the store's own recomputation derives the pairs."""
    batch = _consortium_batch()
    _seed(store, 2 * CAP + 1)
    store.load({k: v for k, v in batch.items() if k != "hcps"})
    assert _pairs(store) == _expected(store)
    assert len(_pairs(store)) == CAP * (CAP - 1) // 2 + 3


def test_a_paper_growing_past_the_cap_loses_its_pairs(store):
    store.coauthor_max_authors = 3
    _seed(store, 5)
    papers = _batch({"P": (2020, ["C000", "C001", "C002"]), "Q": (2021, ["C000", "C001"])}, 5)
    store.load({k: v for k, v in papers.items() if k != "hcps"})
    assert _pairs(store) == {
        ("C000", "C001", 2, 2020, 2021),
        ("C000", "C002", 1, 2020, 2020),
        ("C001", "C002", 1, 2020, 2020),
    }
    store.load({"authorships": frame("authorships", [("P", "C003", 4)])})
    assert _pairs(store) == {("C000", "C001", 1, 2021, 2021)}
    assert len(store.table("authorships")) == 20 + 6


@pytest.mark.parametrize("seed", [3, 4])
@pytest.mark.parametrize("seed_papers", [0, 20])
def test_random_loads_around_a_small_cap_match_a_full_recomputation(store, seed, seed_papers):
    """Papers grow across loads, some past a cap of 4; checked after each load."""
    store.coauthor_max_authors = 4
    rng = random.Random(seed)
    hcps = _ids(0, 12)
    _seed(store, 12, seed_papers)
    authors: dict[str, set[str]] = {}
    for step in range(6):
        pmids = rng.sample([f"Q{i}" for i in range(6)], 3)
        publications, authorships = [], []
        for pmid in pmids:
            new = rng.sample(sorted(set(hcps) - authors.setdefault(pmid, set())), rng.randint(1, 3))
            start = len(authors[pmid])
            authors[pmid].update(new)
            publications.append((pmid, f"Paper {pmid}", None, 2000 + int(pmid[1:]), [], None))
            authorships += [(pmid, h, start + i) for i, h in enumerate(new, start=1)]
        store.load(
            {
                "publications": frame("publications", publications),
                "authorships": frame("authorships", authorships),
            }
        )
        assert _pairs(store) == _expected(store), step


def test_corrections_recount_pairs_without_papers_above_the_cap(store):
    """A merge and a split recount their HCPs' pairs over every paper of theirs: a paper
    above the cap, which the correction does not move, still makes no pair."""
    store.coauthor_max_authors = 3
    _seed(store, 6)
    papers = _batch({"BIG": (2020, _ids(0, 4)), "P": (2021, ["C000", "C004"])}, 6)
    store.load({k: v for k, v in papers.items() if k != "hcps"})
    store.merge_hcps("C001", "C004")
    assert ("C000", "C001", 1, 2021, 2021) in _pairs(store)
    assert _pairs(store) == _expected(store)
    store.split_hcp("C001", ["P"])
    assert _pairs(store) == _expected(store)
    assert not any("C001" in pair[:2] for pair in _pairs(store))
