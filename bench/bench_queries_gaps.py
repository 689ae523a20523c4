"""Benchmark: ``coverage_gaps`` (and ``coverage``) warm latency on the M dataset.

Generates the M bundle (50,000 HCPs, 100,000 touchpoints) or takes ``--bundle DIR``, loads it
into a store, scores it, then runs every query variant once to warm up and times ``--runs``
queries cycling through varied filters (default tiers 1-2, --top, --max-tier, territories,
windows, an earlier as-of, --all).  Prints p50 / p95 / max per store, and the same queries
timed again with the reach columns left out (``GraphStore._add_reach`` replaced by a no-op
for that pass only), so what reach adds is measured in the same run.

With ``--server`` the store keeps its gaps snapshot in memory, as ``kolgraph serve`` does
(read by the first query, timed apart); without it, it answers as a one-off process does.

Stores:

* ``--backend embedded``: a store in ``--home DIR`` (default a temporary folder); a home whose
  store already holds scores is reused as it is (no load).
* ``--backend neo4j``: the server named by ``NEO4J_URI`` / ``NEO4J_PASSWORD`` (its database is
  wiped and loaded, unless ``--reuse`` and it already holds scores; only use a scratch
  server), or else a local server started in a temporary folder with
  :mod:`kolgraph.neo4j_server` and stopped at the end.

Run: ``.venv/bin/python bench/bench_queries_gaps.py --backend embedded [--bundle DIR]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from kolgraph.answers.gaps import GapQuery
from kolgraph.generate import generate_bundle
from kolgraph.loading import load_path
from kolgraph.ports import free_port
from kolgraph.scoring import rescore


def query_variants(territories: list[str], today: date) -> list[tuple[str, GapQuery]]:
    """The filters a manager would try, named for the report."""
    variants = [
        ("default (tiers 1-2)", GapQuery(as_of=today)),
        ("--top 100", GapQuery(top=100, as_of=today)),
        ("--top 1000", GapQuery(top=1000, as_of=today)),
        ("--max-tier 1", GapQuery(max_tier=1, as_of=today)),
        ("--top 5000 --max-tier 2", GapQuery(top=5000, max_tier=2, as_of=today)),
        ("--stale-days 90", GapQuery(stale_days=90, as_of=today)),
        ("--stale-days 365", GapQuery(stale_days=365, as_of=today)),
        ("--as-of -90 days", GapQuery(as_of=today - timedelta(days=90))),
        ("--all --top 2000", GapQuery(top=2000, include_engaged=True, as_of=today)),
    ]
    variants += [(f"--territory {t}", GapQuery(territory=t, as_of=today)) for t in territories[:3]]
    return variants


def time_queries(store, variants, runs: int) -> dict:
    """Warm every variant once, then time ``runs`` queries cycling through them."""
    for _name, query in variants:
        store.coverage_gaps(query)
    times, sizes = [], {}
    for i in range(runs):
        name, query = variants[i % len(variants)]
        start = time.perf_counter()
        rows = store.coverage_gaps(query)
        times.append((time.perf_counter() - start) * 1000)
        sizes[name] = len(rows)
    return {"times": times, "sizes": sizes}


@contextmanager
def reach_left_out():
    """Time gaps without reach: the rows keep ``reach_hops`` / ``reach_via`` at None."""
    from kolgraph.store.base import GraphStore

    real = GraphStore._add_reach
    GraphStore._add_reach = lambda self, rows, query: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        GraphStore._add_reach = real  # type: ignore[method-assign]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(backend: str, result: dict, without: dict, coverage_ms: list[float]) -> None:
    times = result["times"]
    print(f"\n## coverage_gaps on {backend} ({len(times)} warm queries)\n")
    print("| reach | p50 ms | p95 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|")
    for label, runs in (("with", times), ("left out", without["times"])):
        print(
            f"| {label} | {statistics.median(runs):.1f} | {percentile(runs, 0.95):.1f} "
            f"| {max(runs):.1f} | {statistics.mean(runs):.1f} |"
        )
    added = percentile(times, 0.95) - percentile(without["times"], 0.95)
    print(f"\nreach adds {added:.1f} ms to the p95")
    print("\n| variant | rows |\n|---|---:|")
    for name, size in result["sizes"].items():
        print(f"| {name} | {size:,} |")
    print(
        f"\ncoverage (whole store, 180 days): p50 {statistics.median(coverage_ms):.1f} ms, "
        f"max {max(coverage_ms):.1f} ms over {len(coverage_ms)} runs"
    )
    # Other processes share the cores: a figure means little without the load it ran under.
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))


def load_and_score(store, bundle: Path, home: Path) -> None:
    start = time.perf_counter()
    summary = load_path(bundle, store)
    print(
        f"loaded {summary.total_rows:,} rows in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    start = time.perf_counter()
    rescore(store, home)
    print(f"scored in {time.perf_counter() - start:.1f} s", file=sys.stderr)


@contextmanager
def embedded_store(home: Path, bundle_of):
    from kolgraph.store.sqlite import EmbeddedStore

    with EmbeddedStore(home) as store:
        if len(store.scores()) == 0:
            load_and_score(store, bundle_of(), home)
        else:
            print(f"reusing the scored store in {home}", file=sys.stderr)
        yield store


@contextmanager
def neo4j_store(work: Path, bundle_of, reuse: bool = False):
    from neo4j import GraphDatabase

    from kolgraph.store.neo4j import Neo4jStore

    with _neo4j_target(work) as (uri, password):
        driver = GraphDatabase.driver(
            uri, auth=(os.environ.get("NEO4J_USERNAME") or "neo4j", password)
        )
        try:
            store = Neo4jStore(driver, uri=uri)
            if reuse and len(store.scores()):
                print(f"reusing the scored graph at {uri}", file=sys.stderr)
            else:
                driver.execute_query(
                    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                )
                load_and_score(store, bundle_of(), work)
            yield store
        finally:
            driver.close()


@contextmanager
def _neo4j_target(work: Path):
    """(uri, password) of NEO4J_URI, or of a local server started for the run."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"], os.environ.get("NEO4J_PASSWORD")
        return
    from kolgraph import neo4j_server

    port = free_port()
    directory = work / "neo4j"
    started = neo4j_server.start(
        directory,
        port,
        password=neo4j_server.generate_password(),
        memory=neo4j_server.Memory("1g", "2g", "1g"),
    )
    try:
        yield started.uri, started.password
    finally:
        neo4j_server.stop(directory)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--bundle", type=Path, help="A canonical bundle (default: generate M).")
    parser.add_argument("--home", type=Path, help="Embedded store folder (default: temporary).")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="neo4j with NEO4J_URI: keep a graph that already holds scores.",
    )
    parser.add_argument(
        "--server",
        action="store_true",
        help="Keep the gaps snapshot in memory, as `kolgraph serve` does (default: ask as a "
        "one-off process does).",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-gaps-") as scratch:
        work = Path(scratch)

        def bundle_of() -> Path:
            if args.bundle:
                return args.bundle
            print("generating the M bundle ...", file=sys.stderr)
            generate_bundle(work / "M", "M", seed=42)
            return work / "M"

        opened = (
            embedded_store(args.home or work / "home", bundle_of)
            if args.backend == "embedded"
            else neo4j_store(work, bundle_of, args.reuse)
        )
        with opened as store:
            territories = sorted(set(store.table("msls")["territory"]))
            variants = query_variants(territories, date.today())
            if args.server:
                store.keep_snapshots()
                start = time.perf_counter()
                store.coverage_gaps(variants[0][1])
                print(
                    f"snapshot read and first answer: {time.perf_counter() - start:.1f} s",
                    file=sys.stderr,
                )
            result = time_queries(store, variants, args.runs)
            with reach_left_out():
                without = time_queries(store, variants, args.runs)
            coverage_ms = []
            for _ in range(5):
                start = time.perf_counter()
                store.coverage(date.today(), 180)
                coverage_ms.append((time.perf_counter() - start) * 1000)
            report(
                args.backend + (" (a server's snapshot)" if args.server else ""),
                result,
                without,
                coverage_ms,
            )


if __name__ == "__main__":
    main()
