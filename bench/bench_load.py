"""Benchmark: loading the generator's M bundle into each store, against one MERGE per row.

For each backend it validates and loads the whole bundle into an empty store (rows/s,
peak RSS of this process; for Neo4j the server's own memory is not counted), then loads a
slice of the same rows one row at a time, each in its own transaction (the naive way: one
``MERGE`` / one upsert statement per row), into a second empty store, and reports the
speed-up.  Prints a markdown table.

Run::

    .venv/bin/python bench/bench_load.py --bundle DIR [--backend embedded neo4j]

Without ``--bundle`` the M bundle is generated into a temporary folder first (seed 42).
Neo4j: a server is started with ``kolgraph.neo4j_server`` in a temporary folder unless
``NEO4J_URI`` and ``NEO4J_PASSWORD`` are set.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from kolgraph import neo4j_server
from kolgraph.config import Neo4jSettings
from kolgraph.generate import generate_bundle
from kolgraph.loading import validate_path
from kolgraph.ports import free_port
from kolgraph.schema import TABLES
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore

SLICE_ROWS = {"hcps": 2_000, "publications": 2_000, "authorships": 4_000, "touchpoints": 2_000}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def neo4j_settings(workdir: Path):
    """Settings of a Neo4j to load into: from the environment, or a fresh local server."""
    if os.environ.get("NEO4J_URI") and os.environ.get("NEO4J_PASSWORD"):
        yield Neo4jSettings.from_env(workdir)
        return
    server_dir = workdir / "neo4j"
    result = neo4j_server.start(server_dir, port=free_port(), echo=lambda _m: None)
    try:
        yield Neo4jSettings(uri=result.status.uri, password=result.password)
    finally:
        neo4j_server.stop(server_dir)


def wipe(store) -> None:
    """Empty a Neo4j database (the benchmark's own server) between runs."""
    with store._driver.session(database=store._database) as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def bulk_load(store, bundle: Path) -> dict:
    """Validate and load the whole bundle; rows/s over validation plus writing."""
    started = time.perf_counter()
    validated = validate_path(bundle, store)
    checked = time.perf_counter()
    store.load(validated.batch)
    seconds = time.perf_counter() - started
    rows = validated.total_rows
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "validate_s": checked - started,
    }


def slice_of(batch: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A consistent slice: the first publications and HCPs, and only rows linking them."""
    hcps = batch["hcps"].head(SLICE_ROWS["hcps"])
    pubs = batch["publications"].head(SLICE_ROWS["publications"])
    auth = batch["authorships"]
    auth = auth[auth["pmid"].isin(pubs["pmid"]) & auth["hcp_id"].isin(hcps["hcp_id"])]
    touch = batch["touchpoints"]
    touch = touch[touch["hcp_id"].isin(hcps["hcp_id"])].head(SLICE_ROWS["touchpoints"])
    msls = batch["msls"][batch["msls"]["msl_id"].isin(touch["msl_id"])]
    return {
        "hcps": hcps,
        "publications": pubs,
        "msls": msls,
        "authorships": auth.head(SLICE_ROWS["authorships"]),
        "touchpoints": touch,
    }


def row_at_a_time(store, part: dict[str, pd.DataFrame]) -> dict:
    """The naive way: every row its own load (one MERGE / upsert, one transaction)."""
    rows = 0
    started = time.perf_counter()
    for table in TABLES:
        frame = part.get(table.name)
        if frame is None:
            continue
        for i in range(len(frame)):
            store.load({table.name: frame.iloc[i : i + 1]})
            rows += 1
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


def bench_backend(backend: str, bundle: Path, workdir: Path) -> dict:
    if backend == "embedded":
        with EmbeddedStore(workdir / "bulk") as store:
            result = {**bulk_load(store, bundle), "rss": peak_rss_mb()}
        with EmbeddedStore(workdir / "naive") as store:
            return {
                **result,
                "naive": row_at_a_time(store, slice_of(validated_batch(bundle, workdir))),
            }
    with neo4j_settings(workdir) as settings, Neo4jStore.connect(settings) as store:
        wipe(store)
        result = {**bulk_load(store, bundle), "rss": peak_rss_mb()}
        wipe(store)
        return {**result, "naive": row_at_a_time(store, slice_of(validated_batch(bundle, workdir)))}


def validated_batch(bundle: Path, workdir: Path) -> dict[str, pd.DataFrame]:
    """The bundle's typed batch (validated against an empty store)."""
    with EmbeddedStore(workdir / f"empty-{time.monotonic_ns()}") as empty:
        return validate_path(bundle, empty).batch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="a generated M bundle (default: generate one)")
    parser.add_argument(
        "--backend", nargs="+", default=["embedded", "neo4j"], choices=["embedded", "neo4j"]
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as tmp:
        workdir = Path(tmp)
        bundle = args.bundle or workdir / "M"
        if not args.bundle:
            generate_bundle(bundle, "M", seed=42)
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            "| store | rows | seconds (validation) | rows/s | peak RSS (MB) | one row per transaction (rows/s, slice) | speed-up |"
        )
        print("|---|---|---|---|---|---|---|")
        for backend in args.backend:
            r = bench_backend(backend, bundle, workdir)
            n = r["naive"]
            print(
                f"| {backend} | {r['rows']:,} | {r['seconds']:.1f} ({r['validate_s']:.1f}) | "
                f"{r['rows_per_s']:,.0f} | "
                f"{r['rss']:,.0f} | {n['rows_per_s']:,.0f} ({n['rows']:,} rows) | "
                f"{r['rows_per_s'] / n['rows_per_s']:.0f}x |",
                flush=True,
            )
        print(
            "load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        )


if __name__ == "__main__":
    sys.exit(main())
