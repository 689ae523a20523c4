"""Benchmark: collaborators, suggest, path and intro on the M dataset, warm.

Generates the M bundle (``generate_bundle(dir, "M", seed=42)``) or takes ``--bundle DIR``,
loads it into a store (``--backend embedded|neo4j``; ``--home DIR --skip-load`` reuses an
embedded store already loaded), then times ``--calls`` warm calls of each question on HCPs
drawn at random (seeded) and prints p50 / p95 / max as a markdown table.  "Warm" means after
one untimed call of each question, which builds the embedded store's in-memory adjacency;
that first call is reported too.

Neo4j: the server named by ``NEO4J_URI`` / ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD`` (its
database is loaded by upsert unless ``--skip-load``), else a local one started with
:mod:`kolgraph.neo4j_server` in a temporary folder and stopped at the end.

Run: ``.venv/bin/python bench/bench_queries_network.py --backend embedded [--bundle DIR]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from kolgraph import neo4j_server
from kolgraph.config import Neo4jSettings
from kolgraph.generate import generate_bundle
from kolgraph.loading import load_path
from kolgraph.store.base import GraphStore
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore

STALE_DAYS = 180


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, prepare the store, time the questions, print the table."""
    args = _parser().parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="kolgraph-bench-network-") as scratch,
        _store(args, Path(scratch)) as store,
    ):
        if not args.skip_load:
            _timed_load(store, args.bundle or _generate(Path(scratch) / "M"))
        print(_report(args, store, _time_questions(store, args)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--bundle", type=Path, help="A generated M bundle (default: generate one).")
    parser.add_argument("--home", type=Path, help="Embedded store folder (default: temporary).")
    parser.add_argument("--skip-load", action="store_true", help="Use the data already stored.")
    parser.add_argument("--calls", type=int, default=50, help="Timed calls per question.")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date.today(),
        help="As-of date for intro (default today, as the generator anchors).",
    )
    parser.add_argument("--seed", type=int, default=7, help="Seed for choosing HCPs.")
    return parser


def _generate(folder: Path) -> Path:
    print(f"generating the M bundle in {folder} ...", file=sys.stderr)
    generate_bundle(folder, "M", seed=42)
    return folder


@contextmanager
def _store(args: argparse.Namespace, scratch: Path) -> Iterator[GraphStore]:
    if args.backend == "embedded":
        store = EmbeddedStore(args.home or scratch / "home")
        try:
            yield store
        finally:
            store.close()
        return
    with _neo4j_settings(scratch) as settings:
        store = Neo4jStore.connect(settings)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def _neo4j_settings(scratch: Path) -> Iterator[Neo4jSettings]:
    """The server the environment names, else a local one for the run."""
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings(
            uri=os.environ["NEO4J_URI"],
            username=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
        return
    folder = scratch / "neo4j"
    print("starting a local Neo4j server ...", file=sys.stderr)
    started = neo4j_server.start(folder, 7699, password=neo4j_server.generate_password())
    try:
        yield Neo4jSettings(
            uri=started.uri,
            username=neo4j_server.USERNAME,
            password=started.password,
            database="neo4j",
        )
    finally:
        neo4j_server.stop(folder)


def _timed_load(store: GraphStore, bundle: Path) -> None:
    print(f"loading {bundle} into the {store.backend} store ...", file=sys.stderr)
    start = time.perf_counter()
    load_path(bundle, store)
    print(f"loaded in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def _questions(store: GraphStore, as_of: date) -> dict[str, Callable[[str, str], object]]:
    return {
        "collaborators": lambda h, _other: store.coauthors(h),
        "suggest": lambda h, _other: store.suggest_collaborators(h, 10),
        "intro": lambda h, _other: store.warm_intro(h, as_of, STALE_DAYS),
        "path": lambda h, other: store.shortest_path(h, other),
    }


def _time_questions(store: GraphStore, args: argparse.Namespace) -> dict[str, dict]:
    ids = list(store.table("hcps")["hcp_id"])
    rng = random.Random(args.seed)
    results = {}
    for name, ask in _questions(store, args.as_of).items():
        start = time.perf_counter()
        ask(ids[0], ids[-1])  # untimed warm-up: builds caches
        first = time.perf_counter() - start
        timings = []
        for _ in range(args.calls):
            hcp, other = rng.choice(ids), rng.choice(ids)
            start = time.perf_counter()
            ask(hcp, other)
            timings.append((time.perf_counter() - start) * 1000)
        results[name] = {"first_s": first, "timings": timings}
    return results


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(args: argparse.Namespace, store: GraphStore, results: dict[str, dict]) -> str:
    # Other processes share the cores: a figure means little without the load it ran under.
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [
        f"backend: {store.backend}, {args.calls} warm calls each, as-of {args.as_of}, "
        f"stale days {STALE_DAYS}, load average (1, 5, 15 min) {load}",
        "",
        "| query | first call (s) | p50 (ms) | p95 (ms) | max (ms) | mean (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        t = result["timings"]
        lines.append(
            f"| {name} | {result['first_s']:.2f} | {_percentile(t, 0.5):.1f} | "
            f"{_percentile(t, 0.95):.1f} | {max(t):.1f} | {statistics.mean(t):.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
