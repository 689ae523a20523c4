"""Benchmark: read + validate + load a PubMed baseline file into a fresh embedded store.

Default input: ``../shared/data/pubmed/pubmed20n0014.xml.gz`` (30,000 citations, 1976-1980).
The store lives in a temporary ``KOLGRAPH_HOME`` removed afterwards.  Prints a markdown table
with the time of each phase, records per second end to end, and the peak RSS of the process
(``resource.getrusage``).  Targets (issue 6): >= 2,000 records/s, <= 500 MB peak RSS.

Run: ``.venv/bin/python bench/bench_pubmed.py [FILE]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kolgraph.loaders.pubmed import read_pubmed
from kolgraph.loaders.validate import validate
from kolgraph.store.sqlite import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPO / ".." / "shared" / "data" / "pubmed" / "pubmed20n0014.xml.gz"
TARGET_RECORDS_PER_S = 2_000
TARGET_PEAK_MB = 500


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(path: Path) -> dict[str, float]:
    """Time each phase of one load into a fresh store; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as home:
        store = EmbeddedStore(Path(home))
        try:
            started = time.perf_counter()
            read = read_pubmed(path, store)
            read_s = time.perf_counter() - started
            batch = validate(read.raw, store, today=date.today())
            validate_s = time.perf_counter() - started - read_s
            store.load(batch)
            total_s = time.perf_counter() - started
            stats = store.stats()
        finally:
            store.close()
    return {
        "records": read.records_read,
        "read_s": read_s,
        "validate_s": validate_s,
        "load_s": total_s - read_s - validate_s,
        "total_s": total_s,
        "records_per_s": read.records_read / total_s,
        "peak_rss_mb": peak_rss_mb(),
        "publications": stats["nodes"]["Publication"],
        "hcps": stats["nodes"]["HCP"],
        "authored": stats["relationships"]["AUTHORED"],
        "coauthored_with": stats["relationships"]["COAUTHORED_WITH"],
    }


def report(path: Path, figures: dict[str, float]) -> str:
    """The figures as a markdown table, with the targets."""
    rate_ok = figures["records_per_s"] >= TARGET_RECORDS_PER_S
    rss_ok = figures["peak_rss_mb"] <= TARGET_PEAK_MB
    lines = [
        f"PubMed load benchmark: `{path.name}`, embedded store, fresh temporary home",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| records | {figures['records']:,} | |",
        f"| read (parse + disambiguate) | {figures['read_s']:.1f} s | |",
        f"| validate | {figures['validate_s']:.1f} s | |",
        f"| store load | {figures['load_s']:.1f} s | |",
        f"| total | {figures['total_s']:.1f} s | |",
        f"| records/s | {figures['records_per_s']:,.0f} | >= {TARGET_RECORDS_PER_S:,} "
        f"{'(met)' if rate_ok else '(MISSED)'} |",
        f"| peak RSS | {figures['peak_rss_mb']:,.0f} MB | <= {TARGET_PEAK_MB} MB "
        f"{'(met)' if rss_ok else '(MISSED)'} |",
        f"| stored | {figures['publications']:,} publications, {figures['hcps']:,} HCPs, "
        f"{figures['authored']:,} AUTHORED, {figures['coauthored_with']:,} COAUTHORED_WITH | |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    print(report(args.file, run(args.file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
