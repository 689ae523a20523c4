"""The coverage map: every state drawn, shaded from the store's answer, linked to its gaps."""

from __future__ import annotations

import re
from datetime import date

from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.web.coverage_map import NO_DATA, fill


def states_drawn(page: str) -> dict[str, str]:
    """USPS code -> fill of every state on the map."""
    return dict(re.findall(r'data-state="([A-Z]{2})">\s*<path d="M[^"]+" fill="([^"]+)"', page))


def test_the_map_shades_each_state_by_its_coverage(client, auth, loaded):
    with EmbeddedStore(loaded) as store:
        rows = {r["state"]: r for r in store.coverage_by_state(date.today(), 180)}
    page = auth.as_user("max").get("/map").get_data(as_text=True)
    drawn = states_drawn(page)
    assert len(drawn) == 51  # the 50 states and DC
    assert rows and {s: drawn[s] for s in rows} == {s: fill(r) for s, r in rows.items()}
    assert drawn["WY"] == NO_DATA
    assert 'href="/gaps?state=TX' in page


def test_a_state_opens_its_gaps(client, auth, loaded):
    auth.as_user("max")
    page = client.get("/gaps?state=tx&max_tier=4&stale_days=0").get_data(as_text=True)
    shown = set(re.findall(r'<tr data-hcp-id="([^"]+)"', page))
    with EmbeddedStore(loaded) as store:
        texans = {
            h for h, t in store.reads.hcp_states(sorted(shown | {"H04"})).items() if t == "TX"
        }
    assert shown and shown == texans


def test_an_msl_sees_the_map_of_their_territory(client, auth, loaded):
    with EmbeddedStore(loaded) as store:
        north = {r["state"] for r in store.coverage_by_state(date.today(), 180, "North")}
    drawn = states_drawn(auth.as_user("mia").get("/map").get_data(as_text=True))
    assert {s for s, colour in drawn.items() if colour != NO_DATA} == north
    assert auth.as_user("mia").get("/map?territory=South").status_code == 404
