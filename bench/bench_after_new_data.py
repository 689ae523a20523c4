"""Benchmark: the first pages a running server answers after the data changed under it.

Starts ``kolgraph serve`` (gunicorn, its default workers) on a home that holds scored data,
logs in, times a search and the gaps page, then changes the data from another process, as
a nightly job would (``kolgraph score``, or ``kolgraph load FILE`` with ``--load FILE``),
waits ``--wait`` seconds, and times the same pages again, several requests each so that
several workers answer.  Before the server followed its data, the first such page in each
worker rebuilt the caches it needs.

Run::

    .venv/bin/python bench/bench_after_new_data.py --home HOME [--load FILE] [--wait 60]

The home's data is changed in place.  The bench user of ``bench_web.py`` is added to the
home if missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench_web import BENCH_PASSWORD, BENCH_USER, log_in

from kolgraph.ports import free_port, wait_until_listening
from kolgraph.users import UserStore

PAGES = {"search": "/hcps?q=smith", "gaps": "/gaps"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--load", type=Path, help="load this file instead of rescoring")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds after the change")
    parser.add_argument("--requests", type=int, default=6, help="requests of each page")
    args = parser.parse_args()
    users = UserStore.for_home(args.home)
    if users.get(BENCH_USER) is None:
        users.add(BENCH_USER, BENCH_PASSWORD, "admin", None)
    port = free_port()
    kolgraph = [sys.executable, "-m", "kolgraph.cli", "--home", str(args.home)]
    started = time.perf_counter()
    server = subprocess.Popen(
        [*kolgraph, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env=os.environ,
    )
    try:
        if not wait_until_listening(port, server, timeout=600):
            raise SystemExit("the server did not start")
        print(f"serving after {time.perf_counter() - started:.1f} s")
        base = f"http://127.0.0.1:{port}"
        cookie = log_in(base)
        report("before", base, cookie, args.requests)
        change = ["load", str(args.load)] if args.load else ["score"]
        began = time.perf_counter()
        subprocess.run([*kolgraph, *change], check=True, stdout=subprocess.DEVNULL)
        print(f"{change[0]} took {time.perf_counter() - began:.1f} s; waiting {args.wait:.0f} s")
        time.sleep(args.wait)
        report("after", base, cookie, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=60)


def report(when: str, base: str, cookie: str, requests: int) -> None:
    for name, path in PAGES.items():
        times = [timed(base + path, cookie) for _ in range(requests)]
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{when}: {name} {shown} s (max {max(times):.2f} s)", flush=True)


def timed(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
