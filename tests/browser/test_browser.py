"""The web app in a real browser: Debian's headless Chromium against the app served by waitress.

What the Flask test client cannot show: that the pages work as a person uses them (forms,
links, CSRF tokens in real cookies), that vis-network really draws the network under the
app's Content-Security-Policy, that a click on a drawn node opens the profile, that a
download arrives, and that nothing is fetched from outside the machine.

Playwright's ``wait_for_function`` needs ``eval``, which the CSP forbids; the tests wait for
``data-stabilized="1"`` (set by network.js) and read state with ``page.evaluate``.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import openpyxl
import pytest
from live_app import ADMIN, PASSWORD, LiveServer, log_in

from kolgraph.export import TARGET_COLUMNS
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.users import UserStore

pytestmark = pytest.mark.browser

TARGET_HEADER = [header for _field, header in TARGET_COLUMNS]
STABILIZED = '[data-network][data-stabilized="1"]'

#: The vis-network object of the page's drawing, and what it drew.
DRAWN_JS = """() => {
  const section = document.querySelector('[data-network]');
  const canvas = section.querySelector('.network-canvas canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {nodes: section.network.body.data.nodes.length, width: canvas.width,
          height: canvas.height, painted: painted,
          sent: JSON.parse(section.querySelector('.network-data').textContent).nodes.length};
}"""

#: Where (in page coordinates) a drawn node is, and which node vis-network finds there.
NODE_AT_JS = """(id) => {
  const section = document.querySelector('[data-network]');
  const network = section.network;
  const spot = network.canvasToDOM(network.getPositions([id])[id]);
  const box = section.querySelector('.network-canvas canvas').getBoundingClientRect();
  return {x: box.left + spot.x, y: box.top + spot.y, hit: network.getNodeAt(spot),
          inside: spot.x > 0 && spot.y > 0 && spot.x < box.width && spot.y < box.height};
}"""


def path_of(page) -> str:
    return urlsplit(page.url).path


def open_network(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(STABILIZED, state="attached")


# --- logging in ------------------------------------------------------------------------------


def test_login_required_then_dashboard(page, page_log, site):
    page.goto(f"{site.url}/gaps")
    assert path_of(page) == "/login"

    log_in(page, site.url, ADMIN)

    assert path_of(page) == "/"
    territories = page.locator("#coverage-table tbody tr[data-territory]")
    assert territories.count() > 1
    assert page.locator(f'#coverage-table tr[data-territory="{site.msl_territory}"]').count() == 1
    assert page.locator("#graph-counts .card").count() > 0
    assert page_log.errors() == []


def test_wrong_password_stays_on_login(page, site):
    log_in(page, site.url, ADMIN, password="not the password")

    assert path_of(page) == "/login"
    assert "Wrong user name or password" in page.locator(".flash").inner_text()
    assert page.goto(f"{site.url}/").url.startswith(f"{site.url}/login")


def test_logout_ends_the_session(admin_page, site):
    with admin_page.expect_navigation():
        admin_page.click("header .account button[type=submit]")

    assert path_of(admin_page) == "/login"
    admin_page.goto(f"{site.url}/gaps")
    assert path_of(admin_page) == "/login"


# --- search, profile, network ----------------------------------------------------------------


def test_search_then_open_profile(admin_page, page_log, site):
    page = admin_page
    page.click("nav.mainnav >> text=HCPs")
    page.fill("#hcp-search-q", site.hcp_name)
    with page.expect_navigation():
        page.click("#hcp-search-submit")
    row = page.locator(f'#hcp-results tr[data-hcp-id="{site.hcp_id}"]')
    assert row.count() == 1

    with page.expect_navigation():
        row.locator(f'a[data-hcp-id="{site.hcp_id}"]').click()

    assert path_of(page) == f"/hcp/{site.hcp_id}"
    assert page.get_attribute("#hcp-profile", "data-hcp-id") == site.hcp_id
    assert site.hcp_name in page.inner_text("#hcp-name")
    assert float(page.get_attribute("#score", "data-influence")) > 0
    assert page.get_attribute("#score", "data-tier") in {"1", "2", "3", "4"}
    assert page_log.errors() == []


def test_network_view_draws_every_node(admin_page, page_log, site):
    page = admin_page
    page.goto(f"{site.url}/hcp/{site.hcp_id}")
    with page.expect_navigation():
        page.click("#profile-network-link")
    page.wait_for_selector(STABILIZED, state="attached")

    expected = int(page.get_attribute("#network-view", "data-node-count"))
    drawn = page.evaluate(DRAWN_JS)

    assert path_of(page) == f"/network/hcp/{site.hcp_id}"
    assert 1 < expected <= 300  # under the cap: every HCP of the network is drawn
    assert drawn["nodes"] == drawn["sent"] == expected
    assert page.locator("[data-network] .network-note").count() == 0
    assert drawn["width"] > 300 and drawn["height"] > 300
    # Not a blank canvas: nodes and edges cover a real share of it.
    assert drawn["painted"] > 0.01 * drawn["width"] * drawn["height"]
    assert page_log.errors() == []


def test_large_network_is_capped_with_a_note(admin_page, page_log, site):
    page = admin_page
    open_network(page, f"{site.url}/network/territory/{quote(site.msl_territory)}")

    in_network = int(page.get_attribute("#network-view", "data-node-count"))
    drawn = page.evaluate(DRAWN_JS)

    assert in_network > 300
    assert drawn["nodes"] == drawn["sent"] == 300
    assert f"Showing 300 of {in_network:,} HCPs" in page.inner_text("[data-network] .network-note")
    assert page_log.errors() == []


def test_clicking_a_drawn_node_offers_its_profile(admin_page, site):
    """A real mouse click on the canvas, where vis-network says a co-author's node is: the
    node's actions show; its profile opens from there, or at once on a double-click."""
    page = admin_page
    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}")
    page.locator("[data-network] .network-canvas").scroll_into_view_if_needed()
    target, spot = _clickable_node(page, exclude=site.hcp_id)

    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_selector("[data-network] .network-actions", state="visible")
    with page.expect_navigation():
        page.click("[data-network] .network-open-profile")
    assert path_of(page) == f"/hcp/{target}"

    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}")
    page.locator("[data-network] .network-canvas").scroll_into_view_if_needed()
    target, spot = _clickable_node(page, exclude=site.hcp_id)  # now under a breadcrumb
    with page.expect_navigation():
        page.mouse.dblclick(spot["x"], spot["y"])
    assert path_of(page) == f"/hcp/{target}"
    assert page.get_attribute("#hcp-profile", "data-hcp-id") == target


def _clickable_node(page, exclude: str) -> tuple[str, dict]:
    """A node other than ``exclude`` that is on screen and not hidden under another node."""
    ids = page.evaluate(
        "() => document.querySelector('[data-network]').network.body.data.nodes.getIds()"
    )
    for node_id in ids:
        spot = page.evaluate(NODE_AT_JS, node_id)
        if node_id != exclude and spot["inside"] and spot["hit"] == node_id:
            return node_id, spot
    raise AssertionError(f"no clickable node among {len(ids)} drawn")


def test_network_search_box_selects_the_node(admin_page, site):
    page = admin_page
    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}")

    page.fill("[data-network] .network-search", site.hcp_name)
    page.press("[data-network] .network-search", "Enter")

    selected = page.evaluate(
        "() => document.querySelector('[data-network]').network.getSelectedNodes()"
    )
    assert selected == [site.hcp_id]
    assert page.inner_text("[data-network] .network-search-status") == ""


def test_type_ahead_fills_the_id_and_opens_the_network(admin_page, page_log, site):
    page = admin_page
    page.goto(f"{site.url}/network/")
    page.fill("#network-hcp", site.hcp_name)
    suggestion = f'#network-hcp-suggestions li[data-hcp-id="{site.hcp_id}"]'
    page.wait_for_selector(suggestion)
    assert site.hcp_name in page.inner_text(suggestion)

    page.click(suggestion)
    picked = "#network-pick-hcp input[name=hcp_id]"
    assert page.input_value(picked) == site.hcp_id
    assert page.input_value("#network-hcp") == site.hcp_name
    with page.expect_navigation():
        page.click("#network-pick-hcp button[type=submit]")

    assert path_of(page) == f"/network/hcp/{site.hcp_id}"
    assert page_log.errors() == []


def test_type_ahead_by_keyboard_and_typing_again_clears_the_choice(admin_page, site):
    page = admin_page
    page.goto(f"{site.url}/network/")
    page.fill("#path-to", site.hcp_name)
    page.wait_for_selector(f'#path-to-suggestions li[data-hcp-id="{site.hcp_id}"]')
    first = page.get_attribute("#path-to-suggestions li >> nth=0", "data-hcp-id")
    page.press("#path-to", "ArrowDown")
    page.press("#path-to", "Enter")  # chooses, does not submit
    assert path_of(page) == "/network/"
    assert page.input_value("#network-path-form input[name=to]") == first
    page.type("#path-to", "x")
    assert page.input_value("#network-path-form input[name=to]") == ""


def test_a_node_expands_in_place(admin_page, page_log, site):
    """Co-authors of a drawn node, fetched into the open view: exactly those not yet drawn."""
    page = admin_page
    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}?min_papers=3")
    page.locator("[data-network] .network-canvas").scroll_into_view_if_needed()
    drawn = set(page.evaluate(NODE_IDS_JS))
    _target, spot, new = _expandable_node(page, site, drawn)

    page.mouse.click(spot["x"], spot["y"])
    page.click("[data-network] .network-expand")
    page.wait_for_selector('[data-network][data-expanded="1"]', state="attached")

    assert set(page.evaluate(NODE_IDS_JS)) == drawn | new
    assert f"Added {len(new)} HCP" in page.inner_text("[data-network] .network-expand-status")
    assert path_of(page) == f"/network/hcp/{site.hcp_id}"  # still the same view
    assert page_log.errors() == []


NODE_IDS_JS = "() => document.querySelector('[data-network]').network.body.data.nodes.getIds()"


def _expandable_node(page, site, drawn: set) -> tuple[str, dict, set]:
    """A clickable drawn node whose co-authors (with the view's filters) are not all drawn."""
    for node_id in sorted(drawn - {site.hcp_id}):
        spot = page.evaluate(NODE_AT_JS, node_id)
        if not (spot["inside"] and spot["hit"] == node_id):
            continue
        url = f"{site.url}/network/hcp/{quote(node_id)}/coauthors.json?min_papers=3"
        found = {n["id"] for n in page.request.get(url).json()["nodes"]}
        if found - drawn:
            return node_id, spot, found - drawn
    raise AssertionError("no drawn node has co-authors outside the view")


def test_the_view_exports_as_png(admin_page, site, tmp_path):
    page = admin_page
    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}")
    with page.expect_download() as info:
        page.click("[data-network] .network-png")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)

    assert saved.name == "kolgraph-network.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and saved.stat().st_size > 5000


def test_msl_cannot_expand_another_territorys_hcp(msl_page, site):
    url = f"{site.url}/network/hcp/{quote(site.foreign_hcp_id)}/coauthors.json"
    response = msl_page.request.get(url)
    assert response.status == 404 and response.json()["status"] == 404


# --- exports ---------------------------------------------------------------------------------


def test_export_csv_download(admin_page, site, tmp_path):
    page = admin_page
    page.goto(f"{site.url}/exports")
    with page.expect_download() as info:
        page.click("#export-csv")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)

    assert saved.name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0] == TARGET_HEADER
    assert len(rows) > 1


def test_gaps_page_xlsx_download(admin_page, site, tmp_path):
    page = admin_page
    page.goto(f"{site.url}/gaps")
    listed = int(page.get_attribute("#gaps-count", "data-count"))
    with page.expect_download() as info:
        page.click("#gaps-export-xlsx")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)

    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TARGET_HEADER
    assert len(rows) - 1 == listed > 0


# --- territory scoping -----------------------------------------------------------------------


def test_msl_cannot_open_another_territory(msl_page, site):
    page = msl_page
    assert page.goto(f"{site.url}/hcp/{site.hcp_id}").status == 200

    for url in (f"/hcp/{site.foreign_hcp_id}", f"/network/hcp/{site.foreign_hcp_id}"):
        response = page.goto(f"{site.url}{url}")
        assert response.status == 404, url
        assert page.inner_text(".error-page .status") == "404"
        assert page.locator("#hcp-profile").count() == 0


def test_msl_export_holds_only_their_territory(msl_page, site):
    response = msl_page.request.get(f"{site.url}/exports/targets.csv")
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))

    assert response.status == 200
    assert rows and {row["territory"] for row in rows} == {site.msl_territory}


# --- offline ---------------------------------------------------------------------------------


def test_pages_work_offline(admin_page, page_log, site):
    """Every main page loads, draws and logs no error while any non-local request is refused."""
    page = admin_page
    page.context.route(lambda url: not _local(url, site.url), lambda route: route.abort())
    pages = [
        "/",
        "/network/",
        "/map",
        "/changes",
        f"/hcps?q={site.hcp_name}",
        f"/hcp/{site.hcp_id}",
        f"/hcp/{site.hcp_id}/collaborators",
        "/gaps",
        "/insights",
        "/exports",
        "/admin/audit",
        "/admin/identity-review",
    ]
    for url in pages:
        assert page.goto(f"{site.url}{url}").status == 200, url
    open_network(page, f"{site.url}/network/hcp/{site.hcp_id}")

    assert page.evaluate(DRAWN_JS)["nodes"] > 1
    assert [url for url in page_log.requests if not _local(url, site.url)] == []
    assert page_log.errors() == []


def _local(url: str, base: str) -> bool:
    return url.startswith(f"{base}/") or url.startswith(("data:", "blob:", "about:"))


# --- the coverage map and what changed -----------------------------------------------------------


def test_the_map_opens_a_states_gaps(admin_page, page_log, site):
    page = admin_page
    page.click("nav.mainnav >> text=Map")
    assert path_of(page) == "/map"
    states = page.locator("#coverage-map a[data-state]")
    assert states.count() == 51
    shaded = page.locator('#coverage-map a[data-state] path:not([fill="#e5e5e5"])')
    assert shaded.count() > 0
    code = shaded.first.locator("xpath=..").get_attribute("data-state")
    box = shaded.first.bounding_box()
    assert box and box["width"] > 0
    with page.expect_navigation():
        shaded.first.click(position={"x": box["width"] / 2, "y": box["height"] / 2}, force=True)
    assert path_of(page) == "/gaps" and f"state={code}" in page.url
    assert page.locator("#gaps-state").input_value() == code
    assert page_log.errors() == []


def test_a_zip3_dot_opens_the_gaps_of_its_state(admin_page, page_log, site):
    page = admin_page
    page.goto(f"{site.url}/map")
    dots = page.locator("#zip3-map a[data-zip3] circle")
    assert dots.count() > 0
    dot = dots.first
    zip3 = dot.locator("xpath=..").get_attribute("data-zip3")
    state = page.locator(f'#zip3-table tr[data-zip3="{zip3}"] td').nth(1).inner_text()
    assert page.locator(f'#coverage-map a[data-zip3="{zip3}"] circle').count() == 1
    with page.expect_navigation():
        dot.click(force=True)
    assert path_of(page) == "/gaps" and f"state={state}" in page.url
    assert page.locator("#gaps-state").input_value() == state
    assert page_log.errors() == []


def test_what_changed_draws_its_chart(admin_page, page_log, site):
    page = admin_page
    page.click("nav.mainnav >> text=What changed")
    assert path_of(page) == "/changes"
    assert page.locator("#coverage-by-quarter-table tbody tr[data-territory]").count() > 0
    assert page.locator("#coverage-chart g.series").count() > 0
    assert page_log.errors() == []


# --- scores out of date ----------------------------------------------------------------------

SMALL_BUNDLE = Path(__file__).resolve().parents[1] / "data" / "bundle_small"


@pytest.fixture
def stale_site(tmp_path):
    """The small bundle, scored, then loaded again without scoring (as a load stopped
    before its scoring leaves it), served on its own: the button rescores this home."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        load_path(SMALL_BUNDLE, store)
        rescore(store, home)
        load_path(SMALL_BUNDLE / "hcps.csv", store)
        assert store.scores_stale()
    UserStore.for_home(home).add(ADMIN, PASSWORD, "admin", None)
    with LiveServer(home) as server:
        yield home, server.url


def test_an_admin_recomputes_stale_scores_from_the_banner(page, page_log, stale_site):
    home, url = stale_site
    log_in(page, url, ADMIN)
    page.goto(f"{url}/gaps?max_tier=2")
    banner = page.locator(".flash-warning")
    assert "scores are out of date" in banner.inner_text()

    with page.expect_navigation():
        banner.locator("button", has_text="Recompute scores now").click()

    assert path_of(page) == "/gaps"  # back where the banner was pressed
    assert (
        "Recomputing every score in the background" in page.locator(".flash").all_inner_texts()[-1]
    )
    deadline = time.monotonic() + 60
    while page.locator(".flash-warning").count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert page.locator(".flash-warning").count() == 0  # the run finished: no banner
    assert "scored" in (home / "score-run.log").read_text()
    assert page_log.errors() == []
