"""Benchmark: how author disambiguation's blocks grow with the number of MEDLINE records,
for ``docs/scaling.md``.

Reads each file's author slots (as ``kolgraph load`` does), then, for each file and for all
of them together, reports the slots, the blocks (folded last name + first initial), the
largest block, the within-block pairs a full comparison makes (blocks up to the model's
``max_block_full``), the slots in larger blocks (compared only with slots sharing a piece of
evidence) and the time ``resolve_authors`` takes.  Prints a markdown table.

Run::

    .venv/bin/python bench/bench_blocking.py [FILE ...]

Default files: the three MEDLINE files in ``../shared/data`` used by the other benchmarks.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from kolgraph.loaders import authors, linkage, pubmed

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DEFAULT_FILES = (
    DATA / "pubmed" / "medline16n0902.xml.gz",
    DATA / "author_gold" / "medline_pairs_train_articles.xml.gz",
    DATA / "pubmed" / "pubmed20n0014.xml.gz",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    files = parser.parse_args().files
    read = [_papers(path) for path in files]
    rows = [_measure(path.name, papers) for path, papers in zip(files, read)]
    if len(files) > 1:
        rows.append(_measure("all together", [p for papers in read for p in papers]))
    _print(rows)


def _papers(path: Path) -> list:
    papers, _counts = pubmed._read_papers(path, date.today().year)
    return papers


def _measure(name: str, papers: list) -> dict:
    slots = [slot for paper in papers for slot in paper.authors]
    facts = {p.pmid: (p.journal, p.mesh_terms, p.title) for p in papers}
    sizes = Counter(slot.block for slot in slots)
    limit = linkage.default_settings().max_block_full
    started = time.process_time()
    authors.resolve_authors(slots, papers=facts)
    return {
        "name": name,
        "records": len(papers),
        "slots": len(slots),
        "blocks": len(sizes),
        "largest": max(sizes.values(), default=0),
        "pairs": sum(n * (n - 1) // 2 for n in sizes.values() if n <= limit),
        "in_large_blocks": sum(n for n in sizes.values() if n > limit),
        "cpu": time.process_time() - started,
    }


def _print(rows: list[dict]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{when}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}\n")
    print(
        "| file | records | author slots | blocks | largest block | pairs compared in full "
        "| slots in blocks over the limit | resolve CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {r['records']:,} | {r['slots']:,} | {r['blocks']:,} "
            f"| {r['largest']:,} | {r['pairs']:,} | {r['in_large_blocks']:,} | {r['cpu']:.1f} |"
        )


if __name__ == "__main__":
    main()
