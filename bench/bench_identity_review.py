"""Benchmark: the identity review of a large store, on the command line and on the admin page.

Three child processes, each on the given home (read only, apart from the user ``bench``,
an admin added when missing, as ``bench_web.py`` does):

1. ``kolgraph identity review --json --limit 1000000``: wall seconds, peak RSS, rows;
2. the page ``/admin/identity-review`` through Flask's test client, logged in as ``bench``:
   the first view (the identity index read, the review) and the second (the answer cache),
   with the process's peak RSS;
3. with ``--correct``, a steward's round: the merge the page's first row offers, posted as a
   profile's button posts it, the kept HCP's profile it leads to, and the page again (the
   page's own button comes straight back to the page).  This changes HOME (one merge,
   audited): run it on a copy.

``--serve`` warms the app up first as ``kolgraph serve`` does (its snapshots, and on Neo4j
the co-author arrays reach reads), and times that; ``--backend neo4j`` runs on the home's
Neo4j server (``kolgraph neo4j start``).

Run::

    .venv/bin/python bench/bench_identity_review.py HOME [--backend neo4j] [--serve] [--correct]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1"
KOLGRAPH = Path(sys.executable).with_name("kolgraph")


def command_line(home: Path, backend: str) -> None:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            [
                str(KOLGRAPH),
                "--backend",
                backend,
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


def page(home: Path, backend: str, serve: bool, correct: bool) -> None:
    """(In a child process: this one's peak RSS is the page's.)"""
    from kolgraph.config import Settings
    from kolgraph.serving import warm_up
    from kolgraph.users import UserStore
    from kolgraph.web import create_app

    users = UserStore.for_home(home)
    if users.get(BENCH_USER) is None:
        users.add(BENCH_USER, BENCH_PASSWORD, "admin", None)
    app = create_app({"WTF_CSRF_ENABLED": False}, Settings.from_env(backend, home))
    if serve:
        started = time.perf_counter()
        warm_up(app, echo=lambda _line: None)
        print(f"warm-up as kolgraph serve does: {time.perf_counter() - started:.1f} s", flush=True)
    client = app.test_client()
    login = {"username": BENCH_USER, "password": BENCH_PASSWORD}
    if client.post("/login", data=login).status_code != 302:
        raise SystemExit(f"cannot log in as {BENCH_USER}: another password?")
    first = timed("/admin/identity-review, first view", lambda: client.get(REVIEW))
    timed("/admin/identity-review, second view", lambda: client.get(REVIEW))
    if correct:
        form = MERGE_FORM.search(first.get_data(as_text=True))
        if form is None:
            raise SystemExit("the review offers no merge")
        merge = {"other_id": form["other"]}
        merged = timed(
            f"merge {form['other']} into it", lambda: client.post(form["action"], data=merge)
        )
        timed("the kept HCP's profile", lambda: client.get(merged.headers["Location"]))
        timed("/admin/identity-review after the merge", lambda: client.get(REVIEW))


REVIEW = "/admin/identity-review"
#: The first merge button of the review page: the form's action and the HCP it folds in.
MERGE_FORM = re.compile(
    r'action="(?P<action>/hcp/[^"]+/merge)".*?name="other_id" value="(?P<other>[^"]+)"', re.S
)


def timed(what: str, request):
    """``request()``'s response, after printing its status, seconds, peak RSS and, on the
    review page, its rows."""
    started = time.perf_counter()
    response = request()
    seconds = time.perf_counter() - started
    rows = response.get_data(as_text=True).count("<tr data-kind=")
    shown = f", {rows} rows" if what.startswith(REVIEW) else ""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{what}: {response.status_code}{shown}, {seconds:.1f} s, peak RSS {peak:,.0f} MB",
        flush=True,
    )
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--serve", action="store_true", help="warm up as kolgraph serve does")
    parser.add_argument(
        "--correct", action="store_true", help="also merge the page's first pair (changes HOME)"
    )
    parser.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page_only:
        page(args.home, args.backend, args.serve, args.correct)
        return
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; {args.backend}")
    command_line(args.home, args.backend)
    child = [sys.executable, __file__, str(args.home), "--page-only", "--backend", args.backend]
    flags = [f"--{name}" for name in ("serve", "correct") if getattr(args, name)]
    subprocess.run(child + flags, check=True)


if __name__ == "__main__":
    main()
