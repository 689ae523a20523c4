"""Benchmark: a first load into an empty local Neo4j database, side by side (issue 16, item 2).

In one run, on one fresh local server (``kolgraph.neo4j_server``, in a temporary home):

(a) ``neo4j-admin database import full`` alone, on the import files of the bundle (the
    baseline: the tool's own run, server stopped; the time to write its files is shown
    apart);
(b) kolgraph's first load through the import tool, end to end: ``store.load`` of the
    validated batch (files written while the server stops, import, restart, constraints,
    bookkeeping), then scoring, timed apart;
(c) the normal incremental load through Bolt (``--no-import-tool``) of the same batch into
    the same database emptied again, then scoring.

Between runs the database's empty folders are put back with the server stopped.  The two
loaded graphs are compared by their counts.  Prints the figures and the ratio (a)/(b).

Run::

    .venv/bin/python bench/bench_first_load.py BUNDLE [--heap 4g --pagecache 2g] [--no-bolt]
        [--no-score]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from kolgraph import neo4j_server as server
from kolgraph.config import Neo4jSettings, Settings, local_server_dir
from kolgraph.loading import validate_path
from kolgraph.ports import free_port
from kolgraph.schema import Batch
from kolgraph.scoring import rescore
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.neo4j.import_files import write_import_files
from kolgraph.territories import aligned_hcps


def main() -> None:
    args = _arguments()
    memory = server.Memory(heap_initial="1g", heap_max=args.heap, pagecache=args.pagecache)
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-first-load-") as scratch:
        home = Path(scratch) / "home"
        directory = local_server_dir(home)
        started = server.start(directory, free_port(), memory=memory)
        settings = Settings(
            backend="neo4j",
            home=home,
            neo4j=Neo4jSettings(uri=started.uri, password=started.password),
        )
        try:
            _run(args, settings, directory, Path(scratch))
        finally:
            server.stop(directory)


def _run(args: argparse.Namespace, settings: Settings, directory: Path, scratch: Path) -> None:
    layout = server.Layout(directory.resolve())
    pristine = scratch / "pristine"
    _keep_pristine(layout, pristine)
    figures: dict[str, float] = {}
    loads = [_load_average()]

    store = Neo4jStore.open(settings)
    started = time.perf_counter()
    validated = validate_path(args.bundle, store)
    figures["validate"] = time.perf_counter() - started
    batch = validated.batch
    rows = validated.total_rows
    store.close()

    # (a) the import tool alone, on the files of this batch
    files_dir = scratch / "files"
    files_dir.mkdir()
    started = time.perf_counter()
    aligned = {**batch, "hcps": aligned_hcps(batch["hcps"], None)}
    files = write_import_files(aligned, files_dir, settings.coauthor_max_authors)
    figures["a_write_files"] = time.perf_counter() - started
    with server.offline(directory):
        started = time.perf_counter()
        server.import_database(
            directory, "neo4j", files.arguments(), report=scratch / "a.report", echo=_echo
        )
        figures["a_import"] = time.perf_counter() - started
        _put_pristine(layout, pristine)
    shutil.rmtree(files_dir)
    loads.append(_load_average())

    # (b) kolgraph's first load through the import tool
    store = Neo4jStore.open(settings)
    assert store.local_server is not None, "the bench server is not seen as the local server"
    steps: list[tuple[float, str]] = []
    store.local_server.notify = lambda text: steps.append((time.perf_counter(), text))
    load_started = time.perf_counter()
    b_stats = _load_and_score(store, batch, settings, args.score, figures, "b")
    _print_steps(steps, load_started, load_started + figures["b_load"])
    loads.append(_load_average())
    if not args.bolt:
        _print(args, rows, figures, loads, None, b_stats)
        return

    with server.offline(directory):
        _put_pristine(layout, pristine)

    # (c) the normal incremental load through Bolt
    store = Neo4jStore.open(replace(settings, import_tool=False))
    assert store.local_server is None
    c_stats = _load_and_score(store, batch, settings, args.score, figures, "c")
    loads.append(_load_average())

    _print(args, rows, figures, loads, b_stats == c_stats, b_stats)


def _load_and_score(
    store: Neo4jStore,
    batch: Batch,
    settings: Settings,
    score: bool,
    figures: dict[str, float],
    run: str,
) -> dict:
    """Load ``batch`` (and score it, if asked), timed into ``figures`` as ``RUN_load`` and
    ``RUN_score``; the store's counts.  Closes the store."""
    started = time.perf_counter()
    store.load(batch)
    figures[f"{run}_load"] = time.perf_counter() - started
    stats = store.stats()
    if score:
        started = time.perf_counter()
        rescore(store, settings.home)
        figures[f"{run}_score"] = time.perf_counter() - started
    store.close()
    return stats


def _keep_pristine(layout: server.Layout, pristine: Path) -> None:
    """Copy the empty database's folders (server stopped), to put back between runs."""
    with server.offline(layout.directory):
        pristine.mkdir()
        for index, folder in enumerate(server.database_folders(layout, "neo4j")):
            shutil.copytree(folder, pristine / str(index))


def _put_pristine(layout: server.Layout, pristine: Path) -> None:
    for index, folder in enumerate(server.database_folders(layout, "neo4j")):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(pristine / str(index), folder)


def _echo(text: str) -> None:
    print(text, file=sys.stderr)


def _load_average() -> float:
    return os.getloadavg()[0]


def _print_steps(steps: list[tuple[float, str]], origin: float, end: float) -> None:
    print("\n(b) steps, seconds from the start of store.load:", file=sys.stderr)
    for at, text in steps:
        print(f"  {at - origin:7.1f}  {text}", file=sys.stderr)
    print(f"  {end - origin:7.1f}  store.load returned", file=sys.stderr)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--heap", default=server.DEFAULT_MEMORY.heap_max)
    parser.add_argument("--pagecache", default=server.DEFAULT_MEMORY.pagecache)
    parser.add_argument(
        "--no-bolt",
        dest="bolt",
        action="store_false",
        help="skip (c), the load through Bolt (at L: about 14 minutes and a 13.6 GB client)",
    )
    parser.add_argument(
        "--no-score", dest="score", action="store_false", help="time the loads without scoring"
    )
    return parser.parse_args()


def _print(
    args: argparse.Namespace,
    rows: int,
    figures: dict[str, float],
    loads: list[float],
    same: bool | None,
    stats: dict,
) -> None:
    """The figures as a table; runs not asked for (``--no-bolt``, ``--no-score``) left out."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"\n{args.bundle} ({rows:,} rows); {when}; {platform.machine()}, {os.cpu_count()} "
        f"cores; server heap {args.heap}, page cache {args.pagecache}; load average "
        f"(1 min) before / after a / after b{' / after c' if 'c_load' in figures else ''}: "
        + " / ".join(f"{x:.1f}" for x in loads)
        + "\n"
    )
    print(f"validation (once, shared): {figures['validate']:.1f} s\n")
    print("| run | seconds | rows/s |")
    print("|---|---:|---:|")
    print(
        f"| (a) import tool alone (files written before: {figures['a_write_files']:.1f} s) "
        f"| {figures['a_import']:.1f} | {rows / figures['a_import']:,.0f} |"
    )
    for run, name in (
        ("b", "first load through the import tool"),
        ("c", "incremental load through Bolt"),
    ):
        if f"{run}_load" not in figures:
            continue
        load = figures[f"{run}_load"]
        print(f"| ({run}) {name}, no scoring | {load:.1f} | {rows / load:,.0f} |")
        if f"{run}_score" in figures:
            total = load + figures[f"{run}_score"]
            print(
                f"| ({run}) with scoring (+{figures[f'{run}_score']:.1f} s) | {total:.1f} "
                f"| {rows / total:,.0f} |"
            )
    ratio = figures["a_import"] / figures["b_load"]
    print(
        f"\nratio (a)/(b), no scoring: {ratio:.2f}x (target >= 0.8x: "
        f"{'met' if ratio >= 0.8 else 'missed'}); with (a)'s file writing counted in (a): "
        f"{(figures['a_import'] + figures['a_write_files']) / figures['b_load']:.2f}x"
    )
    if same is not None:
        print(f"(b) and (c) hold the same counts: {same} ({stats})")
    else:
        print(f"(b) holds: {stats}")


if __name__ == "__main__":
    main()
