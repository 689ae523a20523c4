"""The coverage map: every state drawn, shaded from the store's answer, linked to its gaps."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.territories import read_alignment
from kolgraph.web.coverage_map import NO_DATA, fill
from kolgraph.web.us_map import state_outlines, zip3_points


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
        places = store.reads.hcp_places(sorted(shown | {"H04"}))
        texans = {h for h, (_country, state, _postal) in places.items() if state == "TX"}
    assert shown and shown == texans


def test_an_msl_sees_the_map_of_their_territory(client, auth, loaded):
    with EmbeddedStore(loaded) as store:
        north = {r["state"] for r in store.coverage_by_state(date.today(), 180, "North")}
    drawn = states_drawn(auth.as_user("mia").get("/map").get_data(as_text=True))
    assert {s for s, colour in drawn.items() if colour != NO_DATA} == north
    assert auth.as_user("mia").get("/map?territory=South").status_code == 404


# --- ZIP3 detail, where the alignment assigns by ZIP prefix ------------------------------------

IOWA = """hcp_id,first_name,last_name,city,state,country,postal_code
I1,Ida,One,Iowa City,IA,US,52242
I2,Ian,Two,Iowa City,IA,US,52240
I3,Ivy,Three,Des Moines,IA,US,50309
I4,Ike,Four,Boston,MA,US,02115
"""
IOWA_RULES = """territory,country,state,postal_code
Iowa East,US,,522
Iowa West,US,,503
North,US,MA,
"""


@pytest.fixture
def iowa(home, tmp_path):
    """Four tier 1 HCPs: three in Iowa, aligned by ZIP3; I1 engaged a week ago by M1."""
    bundle = tmp_path / "iowa"
    bundle.mkdir()
    (bundle / "hcps.csv").write_text(IOWA, encoding="utf-8")
    (bundle / "msls.csv").write_text(
        "msl_id,name,territory\nM1,Mona North,North\nM2,Eve East,Iowa East\n", encoding="utf-8"
    )
    week_ago = (date.today() - timedelta(days=7)).isoformat()
    (bundle / "touchpoints.csv").write_text(
        f"touchpoint_id,msl_id,hcp_id,date\nT1,M2,I1,{week_ago}\n", encoding="utf-8"
    )
    rules = tmp_path / "alignment.csv"
    rules.write_text(IOWA_RULES, encoding="utf-8")
    with EmbeddedStore(home) as store:
        store.set_alignment(read_alignment(rules))
        load_path(bundle, store)
        ids = ["I1", "I2", "I3", "I4"]
        store.write_scores(
            pd.DataFrame(
                {
                    "hcp_id": ids,
                    "influence": [40.0, 30.0, 20.0, 10.0],
                    "tier": 1,
                    "rank": [1, 2, 3, 4],
                    "components": [{} for _ in ids],
                    "rising": False,
                    "rising_score": 0.0,
                }
            )
        )
    return home


def dots(page: str) -> dict[str, tuple[str, str, str]]:
    """ZIP3 -> (cx, cy, fill) of each dot on the whole map."""
    whole = page.split('id="coverage-map"')[1].split("</svg>")[0]
    found = re.findall(
        r'data-zip3="(\d{3})"><circle cx="([^"]+)" cy="([^"]+)" r="[^"]+" fill="([^"]+)"', whole
    )
    return {zip3: (x, y, colour) for zip3, x, y, colour in found}


def test_zip3_prefixes_of_the_alignment_are_dots_shaded_by_coverage(client, auth, iowa):
    with EmbeddedStore(iowa) as store:
        rows = {r["zip3"]: r for r in store.coverage_by_zip3(date.today(), 180)}
    assert {z: (r["tier12_hcps"], r["engaged"]) for z, r in rows.items()} == {
        "522": (2, 1),
        "503": (1, 0),
    }
    page = auth.as_user("max").get("/map").get_data(as_text=True)
    points = zip3_points()
    assert dots(page) == {
        z: (str(points[z][0]), str(points[z][1]), fill(r)) for z, r in rows.items()
    }
    assert "ZIP3 detail: IA" in page and 'id="zip3-map"' in page
    assert re.search(r'<tr data-zip3="522"><td><a href="/gaps\?state=IA&amp;territory=Iowa', page)


def test_every_iowa_zip3_dot_lies_inside_iowa():
    _name, ia = state_outlines()["IA"]
    for zip3 in [f"{n:03d}" for n in range(500, 529)]:
        if zip3 in zip3_points():
            assert inside(zip3_points()[zip3], ia), zip3


def test_an_msl_sees_only_their_territorys_zip3s(client, auth, iowa):
    page = auth.as_user("mia").get("/map").get_data(as_text=True)
    assert dots(page) == {} and 'id="zip3-map"' not in page


def test_without_zip_rules_the_map_has_no_zip3_detail(client, auth, loaded):
    page = auth.as_user("max").get("/map").get_data(as_text=True)
    assert dots(page) == {} and "ZIP3 detail" not in page


def inside(point: tuple[float, float], path: str) -> bool:
    """Whether the point is inside the outline (even-odd rule over every ring)."""
    x, y = point
    crossings = 0
    for ring in path.split("M")[1:]:
        corners = [tuple(map(float, p.split(","))) for p in ring.strip().rstrip("Z").split("L")]
        for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                crossings += 1
    return crossings % 2 == 1
