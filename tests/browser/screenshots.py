"""Screenshots of the main pages for the README, made in Debian's headless Chromium.

Builds the demo data (the generator's S dataset, seed 42, as ``kolgraph demo`` does) in a
temporary home, serves the app with waitress on loopback, logs in as an admin and saves
1400x900 PNGs of the dashboard, an HCP profile, the HCP's network, the network explorer's
type-ahead, the gaps page, the insights page, the coverage map (and its ZIP3 detail) and the
"What changed" page.

Run: ``.venv/bin/python tests/browser/screenshots.py [--out docs/screenshots]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from live_app import ADMIN, LiveServer, chromium_missing_message, demo_home, launch_chromium, log_in

from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1400, "height": 900}
STABILIZED = '[data-network][data-stabilized="1"]'
#: Where, in the window, vis-network drew a node.
NODE_SPOT_JS = """(id) => {
  const section = document.querySelector('[data-network]');
  const spot = section.network.canvasToDOM(section.network.getPositions([id])[id]);
  const box = section.querySelector('.network-canvas canvas').getBoundingClientRect();
  return {x: box.left + spot.x, y: box.top + spot.y};
}"""


def main(argv: list[str] | None = None) -> int:
    """Build the demo, serve it, and write the screenshots; returns the exit status."""
    args = _parser().parse_args(argv)
    missing = chromium_missing_message()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="kolgraph-screenshots-") as folder:
        demo = demo_home(Path(folder))
        since = seed_history(demo.home)
        hcp_id = args.hcp or featured_hcp(demo.home)
        with LiveServer(demo.home) as server:
            shoot(server.url, hcp_id, args.out, since)
    return 0


def seed_history(home: Path, quarters: int = 4) -> date:
    """Score the demo as of each of the last ``quarters`` quarters, then today, so the
    "What changed" page has a history to compare with (a fresh demo has one scoring run);
    returns the day of the oldest run."""
    today = date.today()
    days = [today - timedelta(days=91 * n) for n in range(quarters, 0, -1)]
    store = EmbeddedStore(home)
    try:
        for day in [*days, today]:
            rescore(store, home, as_of=day)
    finally:
        store.close()
    return days[0]


def featured_hcp(home: Path) -> str:
    """The most influential HCP: the profile with the most to show."""
    store = EmbeddedStore(home)
    try:
        return str(store.scores().sort_values("rank").iloc[0]["hcp_id"])
    finally:
        store.close()


def shoot(base_url: str, hcp_id: str, out: Path, since: date) -> None:
    """Log in and save one PNG per main page into ``out``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            log_in(page, base_url, ADMIN)
            for name, path in pages(hcp_id, since):
                page.goto(f"{base_url}{path}")
                if path.startswith("/network/hcp/"):
                    show_network(page, hcp_id)
                elif path == "/network/":
                    show_type_ahead(page, hcp_name(page, base_url, hcp_id))
                page.screenshot(path=out / f"{name}.png")
                print(f"wrote {out / f'{name}.png'}")
        finally:
            browser.close()


def pages(hcp_id: str, since: date) -> list[tuple[str, str]]:
    """(file name, URL path) of every screenshot."""
    return [
        ("dashboard", "/"),
        ("hcp-profile", f"/hcp/{hcp_id}"),
        ("network", f"/network/hcp/{hcp_id}?min_papers=3"),
        ("network-explorer", "/network/"),
        ("gaps", "/gaps"),
        ("insights", "/insights"),
        ("coverage-map", "/map"),
        ("coverage-map-zip3", "/map#zip3-detail"),
        ("what-changed", f"/changes?since={since.isoformat()}"),
    ]


def show_network(page, hcp_id: str) -> None:
    """Wait until vis-network has settled the layout, bring the drawing and its legend into
    view, and hover the HCP's own node so its tooltip shows."""
    page.wait_for_selector(STABILIZED, state="attached")
    page.evaluate(
        "() => document.querySelector('[data-network] .legend').scrollIntoView({block: 'end'})"
    )
    spot = page.evaluate(NODE_SPOT_JS, hcp_id)
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_selector(".vis-tooltip", state="visible")


def hcp_name(page, base_url: str, hcp_id: str) -> str:
    """The HCP's name, from the API (as the page itself would get it)."""
    return page.request.get(f"{base_url}/api/v1/hcps/{hcp_id}").json()["hcp"]["name"]


def show_type_ahead(page, name: str) -> None:
    """Type the start of the HCP's last name into the explorer's HCP field; wait for the
    suggestions."""
    page.fill("#network-hcp", name.split()[-1][:4])
    page.wait_for_selector("#network-hcp-suggestions li[data-hcp-id]")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="folder for the PNGs (default: docs/screenshots)",
    )
    parser.add_argument(
        "--hcp", help="HCP id for the profile and network shots (default: the top HCP)"
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
