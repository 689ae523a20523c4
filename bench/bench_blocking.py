"""Benchmark: how author disambiguation's blocks grow with the number of MEDLINE records,
for ``docs/scaling.md``.

Reads each file's author slots (as ``kolgraph load`` does), then, for each file and for all
of them together, reports the slots, the blocks (folded last name + first initial), the
largest block, the within-block pairs a full comparison makes (blocks up to the model's
``max_block_full``), the slots in larger blocks (compared only with slots sharing a piece of
evidence) and the time ``resolve_authors`` takes.  Prints a markdown table.

``--what-large-blocks-lose N [N ...]``: what comparing only the slots that share evidence
costs.  The real files have no block over the shipped limit, so the limit is lowered to each
``N`` and the partition compared with a full comparison of every block: the same-person
pairs only one of them makes.

``--one-large-block``: the cost of a block far over the limit, such as ``wang j`` in a
whole MEDLINE load.  Every slot of the files whose first initial is J is renamed Wang, and
the report gives that block's slots, the pairs its evidence tokens propose, and the CPU time
of ``resolve_authors`` over all the slots.

Run::

    .venv/bin/python bench/bench_blocking.py [FILE ...] [--what-large-blocks-lose 30 10 5]
    .venv/bin/python bench/bench_blocking.py [FILE ...] --one-large-block

Default files: the three MEDLINE files in ``../shared/data`` used by the other benchmarks.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import combinations
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
    parser.add_argument("--what-large-blocks-lose", nargs="+", type=int, metavar="N")
    parser.add_argument("--one-large-block", action="store_true")
    args = parser.parse_args()
    read = [_papers(path) for path in args.files]
    if args.one_large_block:
        _one_large_block([p for papers in read for p in papers])
        return
    if args.what_large_blocks_lose:
        _print_losses(
            [
                _losses(p.name, papers, args.what_large_blocks_lose)
                for p, papers in zip(args.files, read)
            ]
        )
        return
    rows = [_measure(path.name, papers) for path, papers in zip(args.files, read)]
    if len(args.files) > 1:
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


def _losses(name: str, papers: list, limits: list[int]) -> list[dict]:
    """Per limit: the blocks over it and the linked pairs only the full comparison or only
    the limited one makes."""
    slots = [slot for paper in papers for slot in paper.authors]
    facts = {p.pmid: (p.journal, p.mesh_terms, p.title) for p in papers}
    sizes = Counter(slot.block for slot in slots)
    shipped = linkage.default_settings()

    def linked(limit: int) -> set[tuple[int, int]]:
        settings = replace(shipped, max_block_full=limit)
        persons = authors.resolve_authors(slots, papers=facts, settings=settings).persons
        return {pair for p in persons for pair in combinations(sorted(p.slots), 2)}

    full = linked(max(sizes.values(), default=0))
    rows = []
    for limit in limits:
        limited = linked(limit)
        large = {pair for pair in full if sizes[slots[pair[0]].block] > limit}
        rows.append(
            {
                "name": name,
                "limit": limit,
                "blocks": sum(1 for n in sizes.values() if n > limit),
                "slots": sum(n for n in sizes.values() if n > limit),
                "full": len(large),
                "lost": len(full - limited),
                "gained": len(limited - full),
            }
        )
    return rows


def _one_large_block(papers: list) -> None:
    facts = {p.pmid: (p.journal, p.mesh_terms, p.title) for p in papers}
    slots = [
        replace(slot, last_name="Wang") if slot.first_initial.upper() == "J" else slot
        for paper in papers
        for slot in paper.authors
    ]
    block = [i for i, slot in enumerate(slots) if slot.block == ("wang", "j")]
    settings = linkage.default_settings()
    made = linkage.profiles(slots, facts, settings, authors.given_name, authors._letters, block)
    proposed = linkage._sharing_pairs(block, made)
    started = time.process_time()
    persons = authors.resolve_authors(slots, papers=facts).persons
    print(
        f"block wang j: {len(block):,} slots (limit {settings.max_block_full}); "
        f"{len(proposed):,} pairs proposed by shared evidence tokens; resolve_authors "
        f"{time.process_time() - started:.1f} CPU s for {len(slots):,} slots -> "
        f"{len(persons):,} persons"
    )


def _print_losses(tables: list[list[dict]]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{when}; the shipped model with max_block_full lowered\n")
    print(
        "| file | max_block_full | blocks over it | their slots | their linked pairs (full "
        "comparison) | of them not linked when limited | linked only when limited |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in (row for rows in tables for row in rows):
        print(
            f"| {r['name']} | {r['limit']} | {r['blocks']:,} | {r['slots']:,} | {r['full']:,} "
            f"| {r['lost']:,} ({r['lost'] / max(r['full'], 1):.2%}) | {r['gained']:,} |"
        )


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
