"""Benchmark: the web app under load on the M dataset, and a 300-node network drawn in Chromium.

1. Pages under load.  ``kolgraph serve`` (as in production: gunicorn, one worker process per
   core, or ``--workers N``) runs in its own process on a loopback port, starting with an
   empty answer cache (suggestions are computed on first view, as after any load).
   ``--clients`` threads (default 20), each logged in with its own session over one
   keep-alive connection (closed by the server after each page with gunicorn's workers), request pages back to back for ``--seconds``
   (default 30): HCP profiles (half from the 1,000 most influential HCPs, whose pages are
   the heaviest, half from all HCPs) and the gaps page with varied filters; with ``--pages``
   also the ego networks of the same HCPs and the dashboard, each kind equally often.
   Every gaps variant, the dashboard, and the first 20 profiles and networks are fetched
   once first (warm-up, not timed).  Prints p50 / p95 /
   max per page, and the CPU time per page of the server's processes and of this client:
   the client shares the machine's cores with the server, and CPU time is the figure to
   compare between runs on a machine others use too (wall-clock times move with their
   load).  Target: p95 <= 300 ms.
2. A 300-node network view.  Debian's headless Chromium (via Playwright, never a downloaded
   browser) opens the ego network of the most influential HCP (capped at 300 nodes) ``--runs``
   times and times navigation start -> ``data-stabilized="1"`` (set by network.js once
   vis-network has drawn the final layout: positions come from the server, no physics).
   The first run includes computing that layout on the server.  Target: <= 2 s.

The store: ``--home DIR`` whose embedded store (or, with ``--backend neo4j``, the Neo4j
database ``NEO4J_URI`` / ``NEO4J_PASSWORD`` name) already holds scores is used as it is;
otherwise the bundle (``--bundle DIR``, or the M bundle generated into a temporary folder)
is loaded and scored there.  A user ``bench`` (admin) is added to that home if missing.

Run: ``.venv/bin/python bench/bench_web.py --home DIR [--backend neo4j] [--bundle DIR]
[--seconds 30] [--workers N]``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

from kolgraph.ports import free_port, wait_until_listening

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
STABILIZED = '[data-network][data-stabilized="1"]'
#: Seconds a warm-up page may take.
WARM_UP_TIMEOUT = 900
TARGET_MS = {"profile": 300, "gaps": 300, "network": 300, "dashboard": 300}

#: Records, in the page, when network.js marks the drawing stabilized (ms since navigation).
STABILIZED_PROBE = """
new MutationObserver((_records, observer) => {
  if (document.querySelector('[data-network][data-stabilized="1"]')) {
    window.__kolgraphStabilizedAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-stabilized']});
"""
TIMINGS_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const section = document.querySelector('[data-network]');
  return {response_start: nav.responseStart, response_end: nav.responseEnd,
          dom_content_loaded: nav.domContentLoadedEventEnd,
          stabilized: window.__kolgraphStabilizedAt, nodes: section.network.body.data.nodes.length};
}"""


# --- the store and the server ------------------------------------------------------------------


def prepare_home(home: Path, bundle: Path | None, backend: str) -> dict:
    """Make sure the store holds scores and ``home`` the bench user; return the page targets."""
    from kolgraph.config import Settings
    from kolgraph.store import open_store
    from kolgraph.users import UserStore

    with open_store(Settings.from_env(backend, home), create=True) as store:
        if len(store.scores()) == 0:
            _load(store, home, bundle)
        else:
            print(f"reusing the scored {backend} store", file=sys.stderr)
        ranked = store.scores().sort_values("rank")["hcp_id"].astype(str).tolist()
        territories = sorted(store.table("hcps")["territory"].dropna().unique().tolist())
    users = UserStore.for_home(home)
    if users.get(BENCH_USER) is None:
        users.add(BENCH_USER, BENCH_PASSWORD, "admin", None)
    return {"ranked": ranked, "territories": territories}


def _load(store, home: Path, bundle: Path | None) -> None:
    from kolgraph.generate import generate_bundle
    from kolgraph.loading import load_path
    from kolgraph.scoring import rescore

    if bundle is None:
        bundle = Path(tempfile.mkdtemp(prefix="kolgraph-bench-M-"))
        print(f"generating the M bundle into {bundle} ...", file=sys.stderr)
        generate_bundle(bundle, "M", seed=42)
    start = time.perf_counter()
    load_path(bundle, store)
    rescore(store, home)
    print(f"loaded and scored {bundle} in {time.perf_counter() - start:.0f} s", file=sys.stderr)


@contextmanager
def served(home: Path, backend: str, workers: int | None = None):
    """``kolgraph serve`` on a free loopback port, in its own process; yields its
    :class:`Server` (base URL, CPU time)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "kolgraph.cli",
        "--home",
        str(home),
        "--backend",
        backend,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    command += ["--workers", str(workers)] if workers else []
    # The server's own log goes to a file, kept after the run.
    with tempfile.NamedTemporaryFile(
        prefix="kolgraph-bench-web-", suffix=".log", delete=False
    ) as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        print(f"server log: {log.name}", file=sys.stderr)
        try:
            started = time.perf_counter()
            _wait_for_port(port, server)
            print(f"serving after {time.perf_counter() - started:.1f} s", file=sys.stderr)
            yield Server(f"http://127.0.0.1:{port}", server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_for_port(port: int, server: subprocess.Popen, timeout: float = 600) -> None:
    if not wait_until_listening(port, server, timeout):
        if server.poll() is not None:
            raise SystemExit(f"kolgraph serve exited with status {server.returncode}")
        raise SystemExit(f"kolgraph serve did not open port {port} within {timeout:.0f} s")


class Server:
    """A running ``kolgraph serve``: its base URL and the CPU time of its processes."""

    def __init__(self, url: str, pid: int):
        self.url = url
        self.pid = pid

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by the server and its worker processes
        (workers that have exited are not counted: gunicorn keeps its workers for the run)."""
        import psutil

        root = psutil.Process(self.pid)
        return sum(_cpu(p) for p in [root, *root.children(recursive=True)])


def client_cpu_seconds() -> float:
    """User + system CPU seconds used so far by this (client) process, all threads."""
    times = os.times()
    return times.user + times.system


def _cpu(process) -> float:
    import psutil

    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


# --- HTTP clients --------------------------------------------------------------------------------


def log_in(base_url: str) -> str:
    """Log in through the form (CSRF token included); return the session's Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base_url}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "username": BENCH_USER, "password": BENCH_PASSWORD}
    ).encode()
    try:
        opener.open(f"{base_url}/login", data=body)
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"user {BENCH_USER!r} could not log in ({error.code}): was it added "
            "with another password? `kolgraph users remove bench` and run again"
        ) from None
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


class Client:
    """One logged-in user on one keep-alive connection."""

    def __init__(self, base_url: str, timeout: float = 120):
        self.netloc = urllib.parse.urlsplit(base_url).netloc
        self.cookie = log_in(base_url)
        self.connection = http.client.HTTPConnection(self.netloc, timeout=timeout)

    def get(self, path: str) -> tuple[int, int, float]:
        """(status, body bytes, milliseconds) of one GET, body read to the end."""
        start = time.perf_counter()
        self.connection.request("GET", path, headers={"Cookie": self.cookie})
        response = self.connection.getresponse()
        size = len(response.read())
        elapsed = (time.perf_counter() - start) * 1000
        if response.will_close:
            self.connection.close()
        return response.status, size, elapsed


#: The page kinds a run can request (``--pages``).
PAGE_KINDS = ("profile", "gaps", "network", "dashboard")


def workload(
    targets: dict, kinds: tuple[str, ...] = ("profile", "gaps"), seed: int = 7
) -> dict[str, list[str]]:
    """The URLs of each page kind asked for: varied profiles, the gaps page with varied
    filters, ego networks of the same HCPs as the profiles, and the dashboard."""
    rng = random.Random(seed)
    ranked = targets["ranked"]
    profiles = rng.sample(ranked[:1000], 200) + rng.sample(ranked, 200)
    gaps = [
        "/gaps",
        "/gaps?max_tier=1",
        "/gaps?top=500",
        "/gaps?stale_days=90",
        "/gaps?sort=name&order=asc",
        "/gaps?include_engaged=1&top=1000",
    ]
    gaps += [f"/gaps?territory={urllib.parse.quote(t)}" for t in targets["territories"]]
    pages = {
        "profile": [f"/hcp/{hcp_id}" for hcp_id in profiles],
        "gaps": gaps,
        "network": [f"/network/hcp/{hcp_id}" for hcp_id in profiles],
        "dashboard": ["/"],
    }
    return {kind: pages[kind] for kind in kinds}


def warm_up(base_url: str, pages: dict[str, list[str]]) -> None:
    """Fetch every gaps variant, the dashboard and the first 20 pages of the other kinds
    once (caches, first-request costs), and say how long that took.  A worker's first page
    may build whole-graph caches (on Neo4j at L, pulling the co-authorships takes minutes),
    hence the long timeout."""
    client = Client(base_url, timeout=WARM_UP_TIMEOUT)
    started, slowest = time.perf_counter(), (0.0, "")
    for kind, urls in pages.items():
        for path in urls if kind in ("gaps", "dashboard") else urls[:20]:
            status, _size, ms = client.get(path)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}")
            slowest = max(slowest, (ms, path))
    print(
        f"warm-up: {time.perf_counter() - started:.0f} s, "
        f"slowest page {slowest[0] / 1000:.1f} s ({slowest[1]})"
    )


def run_load(server: Server, pages: dict[str, list[str]], clients: int, seconds: float) -> dict:
    """``clients`` threads requesting random pages until ``seconds`` have passed; with the CPU
    seconds the server and this client used meanwhile (both share the machine's cores)."""
    results = {kind: [] for kind in pages}
    errors: list[str] = []
    lock = threading.Lock()
    logged_in = [Client(server.url) for _ in range(clients)]

    def loop(client: Client, rng: random.Random) -> None:
        while time.monotonic() < deadline:
            kind = rng.choice(tuple(pages))
            path = rng.choice(pages[kind])
            status, size, ms = client.get(path)
            with lock:
                if status == 200:
                    results[kind].append((ms, size))
                else:
                    errors.append(f"{status} {path}")

    threads = [
        threading.Thread(target=loop, args=(c, random.Random(i))) for i, c in enumerate(logged_in)
    ]
    cpu_before = (server.cpu_seconds(), client_cpu_seconds())
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = {
        "server": server.cpu_seconds() - cpu_before[0],
        "client": client_cpu_seconds() - cpu_before[1],
    }
    return {"results": results, "errors": errors, "cpu": cpu}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report_load(outcome: dict, clients: int, seconds: float) -> None:
    print(f"\n## pages under load: {clients} clients for {seconds:.0f} s\n")
    print("| page | requests | p50 ms | p95 ms | max ms | mean KB | target p95 | met |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for kind, samples in outcome["results"].items():
        if not samples:
            print(f"| {kind} | 0 | | | | | | |")
            continue
        times = [ms for ms, _size in samples]
        p95 = percentile(times, 0.95)
        print(
            f"| {kind} | {len(times):,} | {statistics.median(times):.0f} | {p95:.0f} "
            f"| {max(times):.0f} | {statistics.mean(s for _ms, s in samples) / 1024:.0f} "
            f"| {TARGET_MS[kind]} | {'yes' if p95 <= TARGET_MS[kind] else 'NO'} |"
        )
    total = sum(len(s) for s in outcome["results"].values())
    print(
        f"\nthroughput {total / seconds:.1f} pages/s; errors: {len(outcome['errors'])}; "
        f"load average after {_load_average()}"
        + (f" (first: {outcome['errors'][0]})" if outcome["errors"] else "")
    )
    cpu = outcome["cpu"]
    # CPU per page is what to compare between runs: wall-clock figures move with the load
    # other work puts on the machine, CPU time much less.
    print(
        f"CPU per page: server {cpu['server'] * 1000 / max(total, 1):.1f} ms, this client "
        f"{cpu['client'] * 1000 / max(total, 1):.1f} ms (server {cpu['server']:.1f} s, "
        f"client {cpu['client']:.1f} s in {seconds:.0f} s on {os.cpu_count()} cores)"
    )


# --- the network view in Chromium --------------------------------------------------------------


def bench_network(base_url: str, hcp_id: str, runs: int) -> None:
    """Open the HCP's ego network ``runs`` times; print load and stabilization times."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"\n{CHROMIUM} not found: network view not benchmarked")
        return
    url = f"{base_url}/network/hcp/{hcp_id}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script(STABILIZED_PROBE)
            _browser_log_in(page, base_url)
            rows = [_time_network(page, url) for _ in range(runs)]
        finally:
            browser.close()
    _report_network(url, rows)


def _browser_log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", BENCH_USER)
    page.fill("input[name=password]", BENCH_PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def _time_network(page, url: str) -> dict:
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(STABILIZED, state="attached", timeout=60_000)
    wall = (time.perf_counter() - start) * 1000
    return {**page.evaluate(TIMINGS_JS), "wall": wall}


def _report_network(url: str, rows: list[dict]) -> None:
    print(f"\n## network view in headless Chromium: {url}\n")
    print(
        "| run | nodes | server responds ms | HTML received ms | DOM ready ms | stabilized ms | wall ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for i, r in enumerate(rows, 1):
        print(
            f"| {i} | {r['nodes']} | {r['response_start']:.0f} | {r['response_end']:.0f} "
            f"| {r['dom_content_loaded']:.0f} | {r['stabilized']:.0f} | {r['wall']:.0f} |"
        )
    stabilized = [r["stabilized"] for r in rows]
    print(
        f"\nnavigation -> drawn and stabilized: median {statistics.median(stabilized):.0f} ms, "
        f"max {max(stabilized):.0f} ms (target 2000 ms: "
        f"{'met' if max(stabilized) <= 2000 else 'NOT met'})"
    )


# --- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="kolgraph-bench-web-"))
    targets = prepare_home(home, args.bundle, args.backend)
    pages = workload(targets, tuple(args.pages))
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(targets['ranked']):,} scored HCPs, {args.backend} store; "
        f"load average {_load_average()}"
    )
    with served(home, args.backend, args.workers) as server:
        warm_up(server.url, pages)
        if args.seconds > 0:
            report_load(
                run_load(server, pages, args.clients, args.seconds), args.clients, args.seconds
            )
        if args.runs > 0:
            bench_network(server.url, targets["ranked"][0], args.runs)
    return 0


def _load_average() -> str:
    """The machine's load average (1, 5, 15 min): other work skews every figure."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="home folder (reused if its store holds scores)")
    parser.add_argument(
        "--backend",
        choices=("embedded", "neo4j"),
        default="embedded",
        help="neo4j: the server NEO4J_URI / NEO4J_PASSWORD name (loaded when it holds no scores)",
    )
    parser.add_argument(
        "--bundle", type=Path, help="bundle to load when the store is empty (default: generate M)"
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=PAGE_KINDS,
        default=["profile", "gaps"],
        help="page kinds requested, each kind equally often (default: profile gaps)",
    )
    parser.add_argument(
        "--seconds", type=float, default=30, help="load duration, 0 to skip (default 30)"
    )
    parser.add_argument(
        "--workers", type=int, help="kolgraph serve --workers (default: its own default)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="network view runs in Chromium, 0 to skip (default 5)"
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
