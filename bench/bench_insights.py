"""Benchmark: the field-insights report of a large store, on the command line and as a page.

For each filter set, ``kolgraph --home HOME [--backend B] insights --json FILTERS`` runs as a
child process, exactly as a user runs it: wall seconds, peak RSS (``os.wait4``; on Neo4j the
client only) and the insights counted.  With ``--page``, a child process then asks the web
app (Flask's test client, logged in as ``bench``, an admin added to HOME when missing) for
``/insights`` twice (the second from the cache), narrowed, and with themes, and prints each
page's seconds and the process's peak RSS.  The home is otherwise only read.  On Neo4j,
start the home's server first (``kolgraph --home HOME neo4j start``).

Run::

    .venv/bin/python bench/bench_insights.py HOME [--backend neo4j] [--page]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOLGRAPH = Path(sys.executable).with_name("kolgraph")
BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1"
#: The pages asked for with ``--page``, in order.
PAGES = (
    "/insights",
    "/insights",
    "/insights?territory=West&since=2026-01-01",
    "/insights?themes=1",
)
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


def pages(home: Path, backend: str) -> None:
    """(In a child process: its peak RSS is the pages'.)"""
    from kolgraph.config import Settings
    from kolgraph.users import UserStore
    from kolgraph.web import create_app

    users = UserStore.for_home(home)
    if users.get(BENCH_USER) is None:
        users.add(BENCH_USER, BENCH_PASSWORD, "admin", None)
    client = create_app({"WTF_CSRF_ENABLED": False}, Settings.from_env(backend, home)).test_client()
    login = {"username": BENCH_USER, "password": BENCH_PASSWORD}
    if client.post("/login", data=login).status_code != 302:
        sys.exit(f"cannot log in as {BENCH_USER}: another password?")
    for url in PAGES:
        started = time.perf_counter()
        status = client.get(url).status_code
        seconds = time.perf_counter() - started
        if status != 200:
            sys.exit(f"{url} answered {status}")
        print(f"{url:<40} {seconds:8.1f}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the pages' process: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--backend", default="embedded", choices=["embedded", "neo4j"])
    parser.add_argument("--page", action="store_true", help="Also time the web page.")
    parser.add_argument("--pages-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pages_only:
        pages(args.home, args.backend)
        return
    print(f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'filters':<40} {'seconds':>8} {'peak MB':>8} {'insights':>9}")
    for filters in FILTER_SETS:
        seconds, peak, total = run_report(args.home, args.backend, filters)
        print(f"{' '.join(filters) or '(none)':<40} {seconds:8.1f} {peak:8.0f} {total:9,}")
    if args.page:
        print(f"{'page':<40} {'seconds':>8}", flush=True)
        own = [sys.executable, __file__, str(args.home), "--backend", args.backend]
        subprocess.run([*own, "--pages-only"], check=True)


if __name__ == "__main__":
    main()
