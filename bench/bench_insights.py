"""Benchmark: the field-insights report of a large store, on the command line.

For each filter set, ``kolgraph --home HOME [--backend B] insights --json FILTERS`` runs as a
child process, exactly as a user runs it: wall seconds, peak RSS (``os.wait4``; on Neo4j the
client only) and the insights counted.  The home is only read.  On Neo4j, start the home's
server first (``kolgraph --home HOME neo4j start``).

Run::

    .venv/bin/python bench/bench_insights.py HOME [--backend neo4j]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOLGRAPH = Path(sys.executable).with_name("kolgraph")
#: The report whole, then narrowed the ways the page's form narrows it.
FILTER_SETS = (
    (),
    ("--tier", "1"),
    ("--territory", "West", "--since", "2026-01-01"),
    ("--category", "safety", "--tier", "2"),
)


def run_report(home: Path, backend: str, filters: tuple[str, ...]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and the insights counted, of one ``kolgraph insights``."""
    command = [str(KOLGRAPH), "--backend", backend, "--home", str(home), "insights", "--json"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen([*command, *filters], stdout=out)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{' '.join(command + list(filters))} failed")
        out.seek(0)
        total = json.load(out)["total"]
    return seconds, usage.ru_maxrss / 1024, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--backend", default="embedded", choices=["embedded", "neo4j"])
    args = parser.parse_args()
    print(f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'filters':<40} {'seconds':>8} {'peak MB':>8} {'insights':>9}")
    for filters in FILTER_SETS:
        seconds, peak, total = run_report(args.home, args.backend, filters)
        print(f"{' '.join(filters) or '(none)':<40} {seconds:8.1f} {peak:8.0f} {total:9,}")


if __name__ == "__main__":
    main()
