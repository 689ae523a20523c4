"""Real consortium papers on every store: all their authorships load, none of their co-author
pairs do (the cap of ``docs/influence.md``, "Hyperauthored papers").

The records come from the gold standard's article file (real MEDLINE XML): its largest
byline (5,425 authors), one just above the default cap and a few small papers.  Expected
values are counted straight from the XML here, independently of the loader.
"""

from __future__ import annotations

import gzip
from xml.etree import ElementTree as ET

import pytest
from shared_data import SHARED_DATA
from store.sample import expected_coauthorships, rows

from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS as CAP
from kolgraph.loading import load_path

pytestmark = pytest.mark.usefixtures("real_data")

ARTICLES = SHARED_DATA / "author_gold" / "medline_pairs_train_articles.xml.gz"


def _person_authors(article: ET.Element) -> int:
    """Named person authors of a record: the loader's authorships (groups and ValidYN=N out)."""
    authors = article.findall(".//Article/AuthorList/Author")
    return sum(
        1 for a in authors if a.get("ValidYN", "Y") != "N" and a.find("LastName") is not None
    )


@pytest.fixture(scope="module")
def consortium_file(tmp_path_factory):
    """A MEDLINE file of the largest record, the smallest record above the cap, and the first
    five records with 2 to 10 authors; returns (path, {pmid: person authors})."""
    records = []
    with gzip.open(ARTICLES) as stream:
        for _event, element in ET.iterparse(stream):
            if element.tag == "PubmedArticle":
                pmid = element.findtext(".//MedlineCitation/PMID")
                records.append((pmid, _person_authors(element), ET.tostring(element)))
                element.clear()
    largest = max(records, key=lambda r: r[1])
    above = min((r for r in records if r[1] > CAP), key=lambda r: r[1])
    small = [r for r in records if 2 <= r[1] <= 10][:5]
    chosen = [largest, above, *small]
    path = tmp_path_factory.mktemp("consortium") / "consortium.xml"
    path.write_bytes(
        b"<?xml version='1.0' encoding='utf-8'?>\n<PubmedArticleSet>\n"
        + b"\n".join(r[2] for r in chosen)
        + b"\n</PubmedArticleSet>\n"
    )
    return path, {pmid: count for pmid, count, _ in chosen}


def test_consortium_papers_keep_every_authorship_and_make_no_pair(store, consortium_file):
    path, authors = consortium_file
    assert max(authors.values()) == 5399  # of 5,425 Author elements: 26 are group names
    load_path(path, store)
    authorships = store.table("authorships")
    assert authorships.groupby("pmid").size().to_dict() == authors
    pairs = rows(store.table("coauthorships"))
    big = {p for p, n in authors.items() if n > CAP}
    assert len(big) == 2
    on_big = set(authorships[authorships["pmid"].isin(big)]["hcp_id"])
    on_small = set(authorships[~authorships["pmid"].isin(big)]["hcp_id"])
    assert all(a in on_small and b in on_small for a, b, *_ in pairs)
    assert len(on_big) >= 5399
    assert pairs == expected_coauthorships(authorships, store.table("publications"), CAP)
    small_pairs = sum(n * (n - 1) // 2 for n in authors.values() if n <= CAP)
    assert 0 < len(pairs) <= small_pairs


def test_loading_consortium_papers_again_recounts_without_their_pairs(store, consortium_file):
    """The second load touches every publication: the store's own recount (SQL / Cypher, not
    the first load's numpy) must also leave the big papers out, and change nothing."""
    path, _authors = consortium_file
    load_path(path, store)
    before = rows(store.table("coauthorships")), store.stats()
    load_path(path, store)
    assert (rows(store.table("coauthorships")), store.stats()) == before
