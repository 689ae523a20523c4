"""Benchmark: the gaps answer right after an MSL logs a touchpoint, in a warm process.

A server keeps what it built of the data (the co-authorship adjacency or path graph for
reach, the gaps snapshot) while the data is unchanged; a logged touchpoint is a change.
This times, in one process as a web worker holds it (``keep_snapshots``): the first
``coverage_gaps`` (tiers 1-2, with reach: everything built), the same question again
(warm) and a search, then one touchpoint logged through ``kolgraph.touchpoints.log_touchpoint`` (as the
web form does) for the most influential gap in a covered territory, by one of its MSLs, dated today,
and the same question and search once more.

It writes that touchpoint into the store: run it on a scratch home or database only.

Run: ``.venv/bin/python bench/bench_after_touchpoint.py --home DIR [--backend neo4j]``
(Neo4j: ``NEO4J_URI`` / ``NEO4J_PASSWORD``, as ``kolgraph`` reads them).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from kolgraph.answers.gaps import GapQuery
from kolgraph.config import Settings
from kolgraph.store import open_store
from kolgraph.touchpoints import log_touchpoint


def timed(label: str, run) -> object:
    start = time.perf_counter()
    value = run()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--backend", choices=["embedded", "neo4j"], default="embedded")
    args = parser.parse_args(argv)
    today = date.today()
    question = GapQuery(as_of=today)
    with open_store(Settings.from_env(backend=args.backend, home=args.home)) as store:
        store.keep_snapshots()
        timed("first gaps (everything built)", lambda: store.coverage_gaps(question))
        timed("gaps again (warm)", lambda: store.coverage_gaps(question))
        timed("search (index built)", lambda: store.search_hcps("smith"))
        gap = next(g for g in store.coverage_gaps(GapQuery(top=1000, as_of=today)) if g["msl_ids"])
        values = {
            "msl_id": gap["msl_ids"][0],
            "hcp_id": gap["hcp_id"],
            "date": today.isoformat(),
            "channel": "in-person",
        }
        timed("touchpoint logged", lambda: log_touchpoint(store, args.home, values))
        rows = timed("gaps after it", lambda: store.coverage_gaps(question))
        timed("search after it", lambda: store.search_hcps("smith"))
        print(f"{len(rows):,} gaps; load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
