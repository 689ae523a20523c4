"""The kolgraph web app served for real, for the browser tests and the screenshot script.

:func:`demo_home` builds a home folder holding the generator's S dataset (seed 42, the same
data as ``kolgraph demo``), scored, with one admin and one msl login, and an alignment by
ZIP3 for one state (the coverage map's detail).  :class:`LiveServer`
serves the app with waitress (the production WSGI server of ``kolgraph serve``) on a free
loopback port in a background thread.  :func:`launch_chromium` starts Debian's Chromium
through Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import waitress

from kolgraph.config import Settings
from kolgraph.generate import generate_bundle
from kolgraph.loading import load_path
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.territories import read_alignment
from kolgraph.users import UserStore
from kolgraph.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
#: Nothing in the background may phone home: the offline test counts every request.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
ADMIN = "ada"
MSL = "mia"


@dataclass(frozen=True)
class DemoHome:
    """A loaded home folder and what the tests need to know about its data."""

    home: Path
    msl_territory: str


def demo_home(root: Path, size: str = "S", seed: int = 42) -> DemoHome:
    """Generate, load and score the ``size`` dataset in ``root/home``; add the two users.

    The msl gets the territory with the most HCPs, so their pages are not empty.
    """
    bundle, home = root / f"bundle-{size}", root / "home"
    generate_bundle(bundle, size, seed=seed)
    store = EmbeddedStore(home)
    try:
        load_path(bundle, store)
        rescore(store, home)
        territory = store.table("hcps")["territory"].value_counts().index[0]
        add_zip3_detail(store, root)
    finally:
        store.close()
    users = UserStore.for_home(home)
    users.add(ADMIN, PASSWORD, "admin", None)
    users.add(MSL, PASSWORD, "msl", territory)
    return DemoHome(home=home, msl_territory=str(territory))


#: ZIP codes of the generator's Texas cities (it writes none: its territories are by state),
#: so the coverage map has ZIP3 detail to show.
TX_ZIPS = {
    "Austin": "78712",
    "Dallas": "75390",
    "Galveston": "77555",
    "Houston": "77030",
    "San Antonio": "78229",
}


def add_zip3_detail(store: EmbeddedStore, root: Path) -> None:
    """Give the Texas HCPs their city's ZIP and store an alignment naming those ZIP3
    prefixes for the territory they are in; the rules do not override, so every territory
    stays as generated."""
    hcps = store.table("hcps")
    placed = hcps[hcps["state"].eq("TX") & hcps["city"].isin(list(TX_ZIPS))].copy()
    placed["postal_code"] = placed["city"].map(TX_ZIPS)
    folder = root / "tx-zips"
    folder.mkdir()
    placed[list(TABLES_BY_NAME["hcps"].column_names)].to_csv(folder / "hcps.csv", index=False)
    load_path(folder, store)
    rules = root / "alignment.csv"
    territory = placed["territory"].iloc[0]
    lines = [f"{territory},US,,{z[:3]}" for z in sorted(set(TX_ZIPS.values()))]
    rules.write_text("territory,country,state,postal_code\n" + "\n".join(lines) + "\n")
    store.set_alignment(read_alignment(rules))


class LiveServer:
    """The app on ``home`` served by waitress on 127.0.0.1 (a free port) in a daemon thread.

    Use as a context manager; :attr:`url` is the base URL without a trailing slash.
    """

    def __init__(self, home: Path, threads: int = 4):
        app = create_app(settings=Settings(backend="embedded", home=home))
        self._server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._thread = threading.Thread(target=self._server.run, name="kolgraph-live", daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        # close() stops accepting and ends the worker threads; the loop thread is a daemon,
        # so a keep-alive connection left open by the browser cannot hang the process.
        self._server.close()
        self._thread.join(timeout=5)


def chromium_missing_message() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium is installed."""
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)"


def launch_chromium(playwright):
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def in_ci() -> bool:
    """Whether we run in CI, where a missing browser is a failure rather than a skip."""
    return bool(os.environ.get("CI"))


def log_in(page, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would, and wait for the next page."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
