"""Wherever a page asks for a territory, tier or state, it offers the known values as choices.

Data: ``tests/data/web_bundle`` (territories North and South, see ``web_data.py``).
"""

from __future__ import annotations

import re

import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.territories import Alignment, Rule

PAGES = {
    "/gaps": "gaps-territory",
    "/exports": "export-territory",
    "/hcps?q=onc": "hcp-search-territory",
    "/network/": "network-territory",
    "/network/territory/North": "filter-territory",
    "/changes": "changes-territory",
    "/map": "map-territory",
}


def choices(html: str, select_id: str, name: str = "territory") -> list[str]:
    found = re.search(rf'<select name="{name}" id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return re.findall(r'<option value="([^"]*)"', found.group(1))


@pytest.mark.parametrize("url", PAGES)
def test_territory_filters_are_selects_of_the_known_territories(auth, loaded, url):
    client = auth.as_user("max")
    html = client.get(url).get_data(as_text=True)
    assert choices(html, PAGES[url]) == ["", "North", "South"]


def test_alignment_territories_are_offered_too(auth, loaded, home):
    with EmbeddedStore(home) as store:
        store.set_alignment(Alignment((Rule(2, "West", "US", "CA", ""),)))
    html = auth.as_user("ada").get("/gaps").get_data(as_text=True)
    assert choices(html, "gaps-territory") == ["", "North", "South", "West"]


def test_an_msl_gets_no_territory_choice(auth, loaded):
    html = auth.as_user("mia").get("/gaps").get_data(as_text=True)
    assert 'id="gaps-territory"' not in html


@pytest.mark.parametrize(
    ("url", "select_id"), [("/gaps", "gaps-max-tier"), ("/exports", "export-max-tier")]
)
def test_tier_filters_offer_the_configured_tiers(auth, loaded, url, select_id):
    html = auth.as_user("max").get(url).get_data(as_text=True)
    assert choices(html, select_id, "max_tier") == ["", "1", "2", "3", "4"]


def test_tiers_follow_the_scoring_configuration(auth, loaded, home):
    (home / "scoring.toml").write_text("tier_cutoffs = [10.0, 40.0]\n")
    html = auth.as_user("max").get("/gaps?max_tier=3").get_data(as_text=True)
    assert choices(html, "gaps-max-tier", "max_tier") == ["", "1", "2", "3"]
    assert '<option value="3" selected>' in html


def test_the_state_filter_offers_the_mapped_states_and_keeps_another(auth, loaded):
    client = auth.as_user("max")
    states = choices(client.get("/gaps").get_data(as_text=True), "gaps-state", "state")
    assert len(states) == 52 and states[0] == "" and "TX" in states
    html = client.get("/gaps?state=PR").get_data(as_text=True)
    assert '<option value="PR" selected>PR</option>' in html
