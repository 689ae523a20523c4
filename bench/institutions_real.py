"""How the institutions of the real PubMed files are read: the figures of ``docs/identity.md``,
"Institutions".

Every distinct affiliation text of the PubMed files in ``../shared/data`` (the gold article
file, ``medline16n0902``, ``pubmed20n0014``, the test and efetch files) is parsed once, and
this prints: the texts, the institution mentions (weighted by how often a text is written),
the share read without a country, the distinct ids, and the ids found in more than one city
(the parser's likely false merges, with the most spread ones).  ``--save FILE`` keeps each
text's reading as JSON lines; ``--against FILE`` (a reading saved by other code) counts the
texts whose institutions, or only their ids, read differently.

Run: ``.venv/bin/python bench/institutions_real.py [--save F] [--against F] [--top N]``
(about 10 s).
"""

from __future__ import annotations

import argparse
import gzip
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from kolgraph.loaders.institutions import fold, parse_affiliation

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
FILES = [
    DATA / "author_gold" / "medline_pairs_train_articles.xml.gz",
    *sorted((DATA / "pubmed").glob("*.xml.gz")),
    *sorted((DATA / "pubmed").glob("*.xml")),
    *sorted((DATA / "pubmed" / "efetch_single").glob("*.xml")),
]


def affiliations(paths: list[Path]) -> Counter[str]:
    """Each distinct affiliation text and how many times the files write it."""
    found: Counter[str] = Counter()
    for path in paths:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as file:
            for _event, element in ET.iterparse(file):
                if element.tag == "Affiliation" and element.text:
                    found[element.text.strip()] += 1
                elif element.tag in ("PubmedArticle", "MedlineCitation"):
                    element.clear()
    return found


def readings(texts: Counter[str]) -> dict[str, list[list[str]]]:
    """text -> [id, name, city, country] of each institution it names."""
    return {
        text: [[i.institution_id, i.name, i.city, i.country] for i in parse_affiliation(text)]
        for text in texts
    }


def report(texts: Counter[str], read: dict[str, list[list[str]]], top: int) -> None:
    mentions = sum(texts[t] * len(found) for t, found in read.items())
    placeless = sum(texts[t] for t, found in read.items() for i in found if not i[3])
    places: defaultdict[str, Counter] = defaultdict(Counter)
    for text, found in read.items():
        for institution_id, _name, city, country in found:
            if city and country:
                places[institution_id][(fold(city), country)] += texts[text]
    spread = sorted((i for i in places.items() if len(i[1]) > 1), key=lambda i: -len(i[1]))
    ids = {i[0] for found in read.values() for i in found}
    print(f"{len(texts):,} distinct affiliation texts, {mentions:,} institution mentions")
    print(f"without a country: {placeless:,} mentions ({placeless / mentions:.1%})")
    print(
        f"{len(ids):,} institution ids; in more than one city: {len(spread):,} of {len(places):,}"
    )
    for institution_id, cities in spread[:top]:
        print(f"  {institution_id}: {len(cities)} cities, {dict(cities.most_common(3))}")


def compare(read: dict[str, list[list[str]]], saved: Path) -> None:
    before = {row[0]: row[1] for row in map(json.loads, saved.read_text().splitlines())}
    common = [t for t in read if t in before]
    names = sum([i[1] for i in read[t]] != [i[1] for i in before[t]] for t in common)
    ids = sum([i[0] for i in read[t]] != [i[0] for i in before[t]] for t in common)
    print(f"against {saved}: of {len(common):,} texts, {names:,} name other institutions")
    print(f"and {ids:,} other ids")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="keep each text's reading (JSON lines)")
    parser.add_argument("--against", type=Path, help="a reading saved by --save")
    parser.add_argument("--top", type=int, default=15, help="ids in most cities to list")
    args = parser.parse_args()
    texts = affiliations(FILES)
    read = readings(texts)
    report(texts, read, args.top)
    if args.against:
        compare(read, args.against)
    if args.save:
        lines = (json.dumps([text, found]) for text, found in read.items())
        args.save.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
