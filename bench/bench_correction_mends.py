"""Benchmark: what a web worker keeps in memory on Neo4j, read whole and then after a steward
correction, when it is mended from the corrected HCPs instead.

In one process keeping snapshots as ``kolgraph serve`` does: a search (the search index),
the co-author arrays (reach, the identity review) and the gaps snapshot are read whole and
timed; then the identity review's first likely duplicate pair is merged, and the same three
are timed again.  This changes HOME (one merge): run it on a copy.  The home's Neo4j server
must be running (``kolgraph neo4j start``).

Run::

    .venv/bin/python bench/bench_correction_mends.py HOME
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

from kolgraph.config import Settings
from kolgraph.store import open_store
from kolgraph.store.neo4j import Neo4jStore


def timed(what: str, call: Callable[[], object]) -> None:
    started = time.perf_counter()
    call()
    print(f"{what}: {time.perf_counter() - started:.1f} s", flush=True)


def kept_values(store: Neo4jStore, when: str) -> None:
    timed(f"search index ({when})", lambda: store.reads.search_rows("smith", None, 20))
    timed(f"co-author arrays ({when})", store.reads._hop_arrays)
    timed(f"gaps snapshot ({when})", store.reads._gap_frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    home = parser.parse_args().home
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    store = open_store(Settings.from_env("neo4j", home))
    assert isinstance(store, Neo4jStore)
    try:
        store.keep_snapshots()
        kept_values(store, "read whole")
        pairs = [r for r in store.identity_review([], limit=1_000) if r.get("other_id")]
        if not pairs:
            raise SystemExit("the identity review lists no likely duplicate pair to merge")
        pair = pairs[0]
        print(f"merging {pair['other_id']} into {pair['hcp_id']}")
        timed("the merge", lambda: store.merge_hcps(pair["hcp_id"], pair["other_id"]))
        kept_values(store, "mended after the merge")
    finally:
        store.close()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
