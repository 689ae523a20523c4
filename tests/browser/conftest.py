"""Browser test fixtures: the app served for real on the S dataset, and headless Chromium.

``site`` (session): a home folder with the generator's S dataset, scored, an admin (``ada``)
and an msl (``mia``, the territory with the most HCPs), served by waitress on a free
loopback port; also the HCPs the tests use.  ``browser`` (session): Debian's Chromium via
Playwright.  ``page`` (per test): a fresh browser context (no cookies) and page, with
``page_log`` recording its console errors, uncaught exceptions and requests.

No Chromium: the tests skip, or fail when ``CI`` is set (nothing that matters is skipped
in CI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from live_app import (
    ADMIN,
    MSL,
    LiveServer,
    chromium_missing_message,
    demo_home,
    in_ci,
    launch_chromium,
    log_in,
)

from kolgraph.store.sqlite import EmbeddedStore

VIEWPORT = {"width": 1400, "height": 900}


@dataclass(frozen=True)
class Site:
    """The served app and the data facts the tests rely on."""

    url: str
    msl_territory: str
    #: The most influential HCP of the msl's territory: searched, profiled, drawn.
    hcp_id: str
    hcp_name: str
    #: The most influential HCP outside the msl's territory: the msl must not see it.
    foreign_hcp_id: str


@dataclass
class PageLog:
    """What a page did besides rendering: console errors, uncaught exceptions, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} (at {message.location.get('url')})")

    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions, together."""
        return self.console_errors + self.page_errors


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The app on the S dataset, served by waitress for the whole session."""
    demo = demo_home(tmp_path_factory.mktemp("browser"))
    hcp, foreign = _chosen_hcps(demo.home, demo.msl_territory)
    with LiveServer(demo.home) as server:
        yield Site(
            url=server.url,
            msl_territory=demo.msl_territory,
            hcp_id=hcp["hcp_id"],
            hcp_name=hcp["name"],
            foreign_hcp_id=foreign["hcp_id"],
        )


def _chosen_hcps(home, territory: str) -> tuple[dict, dict]:
    store = EmbeddedStore(home)
    try:
        ranked = store.table("hcps").merge(store.scores(), on="hcp_id").sort_values("rank")
    finally:
        store.close()
    inside = ranked[ranked["territory"] == territory].iloc[0].to_dict()
    outside = ranked[ranked["territory"] != territory].iloc[0].to_dict()
    return inside, outside


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium (skipped, or failed in CI, when it is not installed)."""
    missing = chromium_missing_message()
    if missing and in_ci():
        pytest.fail(missing)
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page_log():
    return PageLog()


@pytest.fixture
def page(browser, page_log):
    """A page in a fresh context: every test starts logged out."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    page_log.attach(opened)
    yield opened
    context.close()


@pytest.fixture
def admin_page(page, site):
    """``page`` logged in as the admin."""
    log_in(page, site.url, ADMIN)
    return page


@pytest.fixture
def msl_page(page, site):
    """``page`` logged in as the msl."""
    log_in(page, site.url, MSL)
    return page
