"""The labelled MEDLINE author pairs (Vishnyakova et al., JAMIA 2019) as author slots.

Shared by ``bench/train_identity.py`` (which fits the linkage model) and
``bench/bench_identity.py`` (which measures it).  Each gold pair names two PMIDs and the
author as the curators wrote it; some letters were lost upstream (``?``, mojibake), so the
slot is found as the author of that paper whose folded last name is most similar, preferring
the same initials.  Pairs whose paper is missing from the article file, or whose author cannot
be found, are counted and left out.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from kolgraph.loaders.institutions import fold
from kolgraph.loaders.pubmed import Paper, _read_papers

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / ".." / "shared" / "data" / "author_gold"
PAIRS = GOLD / "medline_pairs_train.csv"
ARTICLES = GOLD / "medline_pairs_train_articles.xml.gz"


@dataclass(frozen=True)
class GoldPair:
    """Two slot indices (into the slots of the article file), the label and the block."""

    a: int
    b: int
    same: bool
    block: str


def read_articles(path: Path = ARTICLES) -> list[Paper]:
    """The papers of the article file, read as a load reads them."""
    papers, _counts = _read_papers(path, 9999)
    return papers


def _clean(name: str) -> str:
    return re.sub(r"[^a-z]", "", fold(name.replace("ï¿½", "").replace("\ufffd", "")))


def _find(paper: Paper, first_slot: int, last: str, initials: str) -> int | None:
    wanted = _clean(last)

    def rank(k: int) -> tuple[float, bool]:
        slot = paper.authors[k]
        ratio = difflib.SequenceMatcher(None, wanted, _clean(slot.last_name)).ratio()
        return ratio, slot.initials == initials

    if not paper.authors or not wanted:
        return None
    best = max(range(len(paper.authors)), key=rank)
    return first_slot + best if rank(best)[0] >= 0.75 else None


def gold_pairs(papers: list[Paper], path: Path = PAIRS) -> tuple[list[GoldPair], int]:
    """The usable gold pairs and how many were left out."""
    first, index = {}, 0
    for paper in papers:
        first[paper.pmid] = (paper, index)
        index += len(paper.authors)
    slots = [s for p in papers for s in p.authors]
    pairs, left_out = [], 0
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    for row in rows:
        if len(row) < 9 or row[8].strip() not in ("YES", "NO"):
            continue
        found = [
            _find(*first[pmid], last, initials) if pmid in first else None
            for pmid, last, initials in ((row[0], row[1], row[2]), (row[4], row[5], row[6]))
        ]
        if None in found:
            left_out += 1
            continue
        a, b = found
        pairs.append(GoldPair(a, b, row[8].strip() == "YES", " ".join(slots[a].block)))
    return pairs, left_out
