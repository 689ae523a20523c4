"""Benchmark: a full ``kolgraph load`` of PubMed / MEDLINE files into a fresh store.

For each file, ``kolgraph --home TMP [--backend neo4j] load FILE`` runs as a child process,
exactly as a user runs it (read and disambiguate, validate, write, derive co-authors,
rescore, record identities): wall and CPU seconds, records per second and the child's peak RSS
(``os.wait4``; for Neo4j the client only, the server's JVM is not counted).  With
``--phases`` the same steps are also timed one by one in another child process (read,
validate, store load, score), to show where the time goes.  With ``--into HOME`` each load
goes into a fresh copy of that home instead (a team's store growing by a monthly file), with
``--no-score``: the scores are left for one ``kolgraph score`` after the month's files.

Targets (issues 6 and 13): any MEDLINE file >= 1,000 records/s and <= 1 GB peak RSS;
``pubmed20n0014.xml.gz`` >= 2,000 records/s and <= 500 MB.

Run::

    .venv/bin/python bench/bench_pubmed.py [FILE ...] [--backend embedded neo4j] [--phases]
        [--into HOME]

Default file: ``../shared/data/pubmed/pubmed20n0014.xml.gz``.  Neo4j: a server is started
with ``kolgraph.neo4j_server`` in a temporary folder unless ``NEO4J_URI`` and
``NEO4J_PASSWORD`` are set (that database is emptied before each load).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data"
DEFAULT_FILE = DATA / "pubmed" / "pubmed20n0014.xml.gz"
#: (records/s, peak MB): the stricter target of the baseline file, the general one otherwise.
TARGETS = {"pubmed20n0014.xml.gz": (2_000, 500)}
GENERAL_TARGET = (1_000, 1_024)
KOLGRAPH = Path(sys.executable).with_name("kolgraph")
_RECORDS = re.compile(r"pubmed: ([\d,]+) records read")


def run_child(
    command: list[str], env: dict[str, str], allowed: tuple[int, ...] = (0,)
) -> tuple[float, float, float, str]:
    """Run ``command``; its wall seconds, CPU seconds (user + system), peak RSS (MB) and
    stdout.  Fails on an exit status not in ``allowed``.

    The child is reaped with ``os.wait4``, which gives that child's own resource usage.  On a
    shared machine the CPU time is the steadier figure: other jobs stretch the wall time.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode not in allowed:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode(errors='replace')}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().decode()


def full_load(path: Path, backend: str, env: dict[str, str], into: Path | None = None) -> dict:
    """A ``kolgraph load`` of ``path`` into a fresh home (and, for Neo4j, an empty database),
    or, with ``into``, into a copy of that home, with ``--no-score`` (Neo4j: the copy's own
    server, started for the load and stopped after)."""
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as workdir:
        home = Path(workdir) / "home"
        command = [str(KOLGRAPH), "--home", str(home), "--backend", backend, "load", str(path)]
        if into is None:
            seconds, cpu, peak, out = run_child(command, env)
        else:
            shutil.copytree(into, home, symlinks=True)
            with home_server(home, backend, env):
                seconds, cpu, peak, out = run_child([*command, "--no-score"], env)
    match = _RECORDS.search(out)
    if match is None:
        raise SystemExit(f"{path}: not read as PubMed by kolgraph load:\n{out}")
    records = int(match.group(1).replace(",", ""))
    return {"records": records, "seconds": seconds, "cpu": cpu, "peak_rss_mb": peak}


@contextmanager
def home_server(home: Path, backend: str, env: dict[str, str]) -> Iterator[None]:
    """The local Neo4j server of ``home`` running for the block (nothing for embedded)."""
    if backend != "neo4j":
        yield
        return
    server = [str(KOLGRAPH), "--home", str(home), "--backend", "neo4j", "neo4j"]
    run_child([*server, "start"], env)
    try:
        yield
    finally:
        run_child([*server, "stop"], env)


def phases(path: Path) -> dict:
    """Each step of a load into a fresh embedded store, timed in this process (run as a child)."""
    from kolgraph.loaders.pubmed import read_pubmed
    from kolgraph.loaders.validate import validate
    from kolgraph.scoring import rescore
    from kolgraph.store.sqlite import EmbeddedStore

    times = {}
    with (
        tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as home,
        EmbeddedStore(Path(home)) as store,
    ):
        started = time.perf_counter()
        read = read_pubmed(path, store)
        times["read"] = time.perf_counter() - started
        batch = validate(read.raw, store, today=date.today())
        times["validate"] = time.perf_counter() - started - sum(times.values())
        store.load(batch)
        times["store load"] = time.perf_counter() - started - sum(times.values())
        rescore(store, Path(home))
        times["score"] = time.perf_counter() - started - sum(times.values())
        stats = store.stats()
    return {
        "records": read.records_read,
        "seconds": times,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "stored": {**stats["nodes"], **stats["relationships"]},
    }


def phases_in_child(path: Path, env: dict[str, str]) -> dict:
    command = [sys.executable, __file__, "--phases-of", str(path)]
    _seconds, _cpu, _peak, out = run_child(command, env)
    return json.loads(out)


def verdict(value: float, target: float, at_least: bool) -> str:
    met = value >= target if at_least else value <= target
    return "met" if met else "MISSED"


def report_row(path: Path, backend: str, figures: dict) -> str:
    rate_target, rss_target = TARGETS.get(path.name, GENERAL_TARGET)
    rate = figures["records"] / figures["seconds"]
    return (
        f"| `{path.name}` | {backend} | {figures['records']:,} | {figures['seconds']:.1f} s "
        f"| {figures['cpu']:.1f} s | {rate:,.0f} (>= {rate_target:,}: "
        f"{verdict(rate, rate_target, True)}) | {figures['records'] / figures['cpu']:,.0f} "
        f"| {figures['peak_rss_mb']:,.0f} MB (<= {rss_target:,}: "
        f"{verdict(figures['peak_rss_mb'], rss_target, False)}) |"
    )


def phases_row(path: Path, figures: dict) -> str:
    steps = ", ".join(f"{name} {s:.1f} s" for name, s in figures["seconds"].items())
    stored = figures["stored"]
    return (
        f"| `{path.name}` | {steps} | {figures['peak_rss_mb']:,.0f} MB "
        f"| {stored['HCP']:,} HCPs, {stored['AUTHORED']:,} AUTHORED, "
        f"{stored['COAUTHORED_WITH']:,} COAUTHORED_WITH |"
    )


def neo4j_env(workdir: Path, stack: list) -> dict[str, str]:
    """The environment of a ``kolgraph --backend neo4j`` child: a server to load into."""
    env = dict(os.environ)
    if env.get("NEO4J_URI") and env.get("NEO4J_PASSWORD"):
        return env
    from kolgraph import neo4j_server
    from kolgraph.net import free_port

    server_dir = workdir / "neo4j"
    result = neo4j_server.start(server_dir, port=free_port(), echo=lambda _m: None)
    stack.append(lambda: neo4j_server.stop(server_dir))
    return {**env, "NEO4J_URI": result.status.uri, "NEO4J_PASSWORD": result.password}


def wipe_neo4j(env: dict[str, str]) -> None:
    """Empty the benchmark's Neo4j database before a load (constraints and indexes stay)."""
    from neo4j import GraphDatabase

    auth = ("neo4j", env["NEO4J_PASSWORD"])
    database = env.get("NEO4J_DATABASE") or "neo4j"
    with (
        GraphDatabase.driver(env["NEO4J_URI"], auth=auth) as driver,
        driver.session(database=database) as session,
    ):
        query = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        session.run(query).consume()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT_FILE])
    parser.add_argument("--backend", nargs="+", default=["embedded"])
    parser.add_argument("--phases", action="store_true", help="also time each step")
    parser.add_argument("--phases-of", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--into", type=Path, help="load into a copy of this home (with --no-score), not a fresh one"
    )
    args = parser.parse_args(argv)
    if args.phases_of:
        print(json.dumps(phases(args.phases_of)))
        return 0
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, ")
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the start\n")
    print(
        "| file | store | records | `kolgraph load` | CPU (client) | records/s "
        "| records per CPU s | peak RSS (client) |"
    )
    print("|---|---|---:|---:|---:|---|---:|---|")
    cleanup: list = []
    try:
        with tempfile.TemporaryDirectory(prefix="kolgraph-bench-neo4j-") as workdir:
            for backend in args.backend:
                fresh_neo4j = backend == "neo4j" and args.into is None
                env = neo4j_env(Path(workdir), cleanup) if fresh_neo4j else dict(os.environ)
                for path in args.files:
                    if fresh_neo4j:
                        wipe_neo4j(env)
                    figures = full_load(path, backend, env, args.into)
                    print(report_row(path, backend, figures), flush=True)
            for stop in cleanup:
                stop()
            cleanup.clear()
    finally:
        for stop in cleanup:
            stop()
    if args.phases:
        print("\n| file | phases (embedded, one process) | peak RSS | stored |")
        print("|---|---|---:|---|")
        for path in args.files:
            print(phases_row(path, phases_in_child(path, dict(os.environ))), flush=True)
    print(f"\nload average {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
