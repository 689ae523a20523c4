"""Benchmark: one author across MEDLINE files, measured on the gold standard's pairs.

The gold standard's article file is cut in two files (the records at even places, and at odd
places) and loaded one after the other into a fresh embedded store, as a team's store grows
file by file; then the whole file is loaded at once into another.  A gold pair counts as
linked when the HCPs holding its two author slots are one.  Pairs are split by where their
two papers landed: the same file, or one in each (the pairs only the author archive,
:mod:`kolgraph.loaders.author_archive`, can link).  ``--no-archive`` loads the two files as
before the archive: each file's authors resolved alone.

The shipped model was fitted on these pairs, so the figures are in-sample: they compare the
ways of loading, not the model (``bench/bench_identity.py`` measures that, cross-validated).

Run: ``.venv/bin/python bench/bench_identity_files.py [--no-archive]`` (about half a minute).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_gold import ARTICLES, gold_pairs, read_articles
from train_identity import scores

from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore


def halves(folder: Path) -> tuple[Path, Path]:
    text = gzip.decompress(ARTICLES.read_bytes()).decode("utf-8")
    records = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S)
    files = []
    for start, name in ((0, "even.xml"), (1, "odd.xml")):
        path = folder / name
        body = "\n".join(records[start::2])
        path.write_text(f"<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n", "utf-8")
        files.append(path)
    return files[0], files[1]


def holders(home: Path, files: list[Path], archive: bool) -> tuple[dict, float]:
    """(pmid, position) -> HCP after loading ``files`` in order, and the seconds taken."""
    started = time.perf_counter()
    with EmbeddedStore(home) as store:
        for path in files:
            load_path(path, store, fmt="pubmed", home=home if archive else None)
        seconds = time.perf_counter() - started
        table = store.table("authorships")
    held = {(p, int(k)): h for p, k, h in zip(table["pmid"], table["position"], table["hcp_id"])}
    return held, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-archive", action="store_true", help="each file resolved alone")
    args = parser.parse_args(argv)
    papers = read_articles()
    pairs, left_out = gold_pairs(papers)
    slots = [s for p in papers for s in p.authors]
    y = np.array([p.same for p in pairs])
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as scratch:
        folder = Path(scratch)
        even, odd = halves(folder)
        in_even = set(re.findall(r"<PMID[^>]*>(\d+)</PMID>", even.read_text("utf-8")))
        whole, whole_s = holders(folder / "whole", [ARTICLES], True)
        apart, apart_s = holders(folder / "apart", [even, odd], not args.no_archive)
    keys = [
        ((slots[p.a].pmid, slots[p.a].position), (slots[p.b].pmid, slots[p.b].position))
        for p in pairs
    ]
    across = np.array([(a[0] in in_even) != (b[0] in in_even) for a, b in keys])
    print(
        f"{len(pairs):,} gold pairs ({int(y.sum())} YES, {left_out} left out); "
        f"{int(across.sum())} with one paper in each file"
    )
    print(
        f"loads: whole file {whole_s:.1f} s; two files {apart_s:.1f} s "
        f"({'each alone' if args.no_archive else 'with the author archive'})"
    )
    print("| load | pairs | precision | recall | F1 |\n|---|---|---:|---:|---:|")
    for label, held in (("whole file", whole), ("two files", apart)):
        linked = np.array([a in held and held.get(a) == held.get(b) for a, b in keys])
        for which, mask in (("same file", ~across), ("one in each", across), ("all", None)):
            chosen = slice(None) if mask is None else mask
            p, r, f = scores(y[chosen], linked[chosen])
            print(f"| {label} | {which} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
