"""Benchmark: the identity review of a large store, on the command line and on the admin page.

Three child processes, each on the given home (read only, apart from the user ``bench``,
an admin added when missing, as ``bench_web.py`` does):

1. ``kolgraph identity review --json --limit 1000000``: wall seconds, peak RSS, rows;
2. the page ``/admin/identity-review`` through Flask's test client, logged in as ``bench``:
   the first view (the identity index read, the review) and the second (the answer cache),
   with the process's peak RSS.

Run::

    .venv/bin/python bench/bench_identity_review.py HOME
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1"
KOLGRAPH = Path(sys.executable).with_name("kolgraph")


def command_line(home: Path) -> None:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            [
                str(KOLGRAPH),
                "--home",
                str(home),
                "identity",
                "review",
                "--json",
                "--limit",
                "1000000",
            ],
            stdout=out,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        rows = json.load(out) if os.waitstatus_to_exitcode(status) == 0 else None
    if rows is None:
        raise SystemExit("kolgraph identity review failed")
    print(
        f"kolgraph identity review: {len(rows):,} rows, {seconds:.1f} s, "
        f"peak RSS {usage.ru_maxrss / 1024:,.0f} MB"
    )


def page(home: Path) -> None:
    """(In a child process: this one's peak RSS is the page's.)"""
    from kolgraph.config import Settings
    from kolgraph.users import UserStore
    from kolgraph.web import create_app

    users = UserStore.for_home(home)
    if users.get(BENCH_USER) is None:
        users.add(BENCH_USER, BENCH_PASSWORD, "admin", None)
    app = create_app({"WTF_CSRF_ENABLED": False}, Settings.from_env("embedded", home))
    client = app.test_client()
    login = {"username": BENCH_USER, "password": BENCH_PASSWORD}
    if client.post("/login", data=login).status_code != 302:
        raise SystemExit(f"cannot log in as {BENCH_USER}: another password?")
    for view in ("first", "second"):
        started = time.perf_counter()
        response = client.get("/admin/identity-review")
        seconds = time.perf_counter() - started
        rows = response.get_data(as_text=True).count("<tr data-kind=")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"/admin/identity-review, {view} view: {response.status_code}, {rows} rows, "
            f"{seconds:.1f} s, peak RSS {peak:,.0f} MB",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page_only:
        page(args.home)
        return
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    command_line(args.home)
    subprocess.run([sys.executable, __file__, str(args.home), "--page-only"], check=True)


if __name__ == "__main__":
    main()
