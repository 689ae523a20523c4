"""Wherever a page asks for a territory, it offers the known territories as choices.

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
}


def choices(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select name="territory" id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
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
