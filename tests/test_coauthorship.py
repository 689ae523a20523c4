"""Co-author pairs from authorships (kolgraph.coauthorship), against a plain-Python count."""

from collections import defaultdict
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from kolgraph import coauthorship
from kolgraph.coauthorship import coauthorship_pairs, pair_instance_keys
from kolgraph.schema import COAUTHORSHIP_COLUMNS


def _random_papers(seed: int, papers: int, people: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    pmids = [f"P{i}" for i in range(papers)]
    years = rng.integers(1500, 2027, size=papers)  # a span of 10 bits
    rows = []
    for pmid in pmids:
        size = int(rng.choice([1, 2, 3, 5, 8, 13, 40]))
        authors = rng.choice(people, size=min(size, people), replace=False)
        rows += [(pmid, f"H{a:04d}") for a in authors]
    authorships = pd.DataFrame(rows, columns=["pmid", "hcp_id"])
    return authorships, pd.DataFrame({"pmid": pmids, "year": years})


def _counted(authorships: pd.DataFrame, publications: pd.DataFrame, cap: int) -> list[tuple]:
    year = dict(zip(publications["pmid"], publications["year"]))
    by_paper = authorships.groupby("pmid")["hcp_id"].apply(sorted)
    seen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pmid, authors in by_paper.items():
        if len(authors) <= cap:
            for pair in combinations(authors, 2):
                seen[pair].append(int(year[pmid]))
    return sorted((a, b, len(ys), min(ys), max(ys)) for (a, b), ys in seen.items())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("slice_instances", [7, 1 << 20])
def test_pairs_are_counted_and_dated_as_a_plain_count_does(monkeypatch, seed, slice_instances):
    monkeypatch.setattr(coauthorship, "SLICE_INSTANCES", slice_instances)
    authorships, publications = _random_papers(seed, papers=300, people=60)
    pairs = coauthorship_pairs(authorships, publications, max_authors=13)
    assert tuple(pairs.columns) == COAUTHORSHIP_COLUMNS
    got = sorted(tuple(int(v) if i > 1 else v for i, v in enumerate(r)) for r in pairs.values)
    assert got == _counted(authorships, publications, cap=13)
    assert got  # the random papers make pairs


def test_no_authorship_makes_no_pair():
    empty = pd.DataFrame({"pmid": pd.Series(dtype=object), "hcp_id": pd.Series(dtype=object)})
    pubs = pd.DataFrame({"pmid": pd.Series(dtype=object), "year": pd.Series(dtype=np.int64)})
    pairs = coauthorship_pairs(empty, pubs)
    assert len(pairs) == 0 and tuple(pairs.columns) == COAUTHORSHIP_COLUMNS


def test_pair_keys_number_each_shared_paper_once_low_code_first():
    person = np.array([2, 0, 1, 1, 2])  # paper 0: 2, 0, 1; paper 1: 1, 2
    paper = np.array([0, 0, 0, 1, 1])
    keys = sorted(pair_instance_keys(person, paper, n=3).tolist())
    assert keys == sorted([0 * 3 + 2, 1 * 3 + 2, 0 * 3 + 1, 1 * 3 + 2])


def test_too_many_people_to_number_their_pairs_is_refused():
    with pytest.raises(OverflowError):
        pair_instance_keys(np.array([0, 1]), np.array([0, 0]), n=1 << 31, tags=None, tag_bits=2)
