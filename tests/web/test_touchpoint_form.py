"""The touchpoint form ``/hcp/<hcp_id>/touchpoints/new``: roles and territory scoping,
CSRF, validation messages next to the fields with the values kept (escaped), and a logged
touchpoint showing at once in the store, the gaps and the insights.

Data: ``insights_world.py`` (H1-H3 North, H4-H5 South; MSLs M1, M2 North, M3 South).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from insights_world import frame, load_world, login, world  # noqa: F401 (fixtures)

from kolgraph.answers.gaps import GapQuery
from kolgraph.audit import recent
from kolgraph.store.sqlite import EmbeddedStore

FORM = "/hcp/{}/touchpoints/new"
EVIL = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;"


def good(**changes) -> dict:
    data = {
        "date": date.today().isoformat(),
        "msl_id": "M1",
        "channel": "in-person",
        "topic": "Adjuvant data",
        "insight": "Wants the stage II subgroup",
        "insight_category": "unmet need",
        "sentiment": "positive",
    }
    return {**data, **changes}


def touchpoints(home):
    with EmbeddedStore(home) as store:
        return store.table("touchpoints")


def gap_ids(home, territory: str = "North") -> set[str]:
    with EmbeddedStore(home) as store:
        return {r["hcp_id"] for r in store.coverage_gaps(GapQuery(territory=territory))}


def error_for(html: str, field: str) -> list[str]:
    """The messages shown next to ``field``."""
    return [
        unescape(m)
        for m in re.findall(rf'<p class="field-error" id="{field}-error-\d+">([^<]*)</p>', html)
    ]


# --- the form ---------------------------------------------------------------------------------


def test_form_defaults_and_choices(login):
    html = login("mia").get(FORM.format("H1")).get_data(as_text=True)
    assert (
        f'name="date" type="date" max="{date.today().isoformat()}" value="{date.today().isoformat()}"'
        in html
    )
    assert set(re.findall(r'<option value="(M\d)"', html)) == {"M1", "M2"}  # North's MSLs only
    for category in ("unmet need", "access and reimbursement", "other"):
        assert f'<option value="{category}">' in html
    assert 'name="csrf_token"' in html


@pytest.mark.parametrize("user", ["ada", "max", "mia"])
def test_every_role_logs_and_it_shows_at_once(login, world, user):
    client = login(user)
    assert "H1" in gap_ids(world)  # stale before
    response = client.post(FORM.format("H1"), data=good(insight=EVIL))
    assert response.status_code == 302
    assert response.headers["Location"] == "/hcp/H1"
    new = touchpoints(world).query("touchpoint_id.str.startswith('TP-WEB-')", engine="python")
    assert len(new) == 1
    row = new.iloc[0]
    assert (row["hcp_id"], row["msl_id"], row["date"], row["insight"]) == (
        "H1",
        "M1",
        date.today().isoformat(),
        EVIL,
    )  # stored as given
    assert "H1" not in gap_ids(world)  # engaged today: no longer a gap
    profile = client.get("/hcp/H1").get_data(as_text=True)  # the HCP's timeline
    assert row["touchpoint_id"] in profile and "Touchpoint logged." in profile
    assert EVIL_ESCAPED in profile and "<script>alert" not in profile
    report = client.get("/api/v1/insights").get_json()
    assert report["newest"][0]["touchpoint_id"] == row["touchpoint_id"]
    html = client.get("/insights").get_data(as_text=True)
    assert EVIL_ESCAPED in html and "<script>alert" not in html and "<img src=x" not in html
    entry = recent(world)[0]
    assert (entry["user"], entry["action"], entry["rows"]) == (user, "log touchpoint", 1)
    assert row["touchpoint_id"] in entry["what"]


# --- territory scoping ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_msl_cannot_log_for_another_territory(login, world, method):
    client = login("mia")
    response = getattr(client, method)(FORM.format("H4"), data=good(msl_id="M3"))
    assert response.status_code == 404
    assert len(touchpoints(world)) == 6


def test_unknown_hcp_is_404(login):
    assert login("ada").get(FORM.format("H404")).status_code == 404


def test_msl_cannot_pick_another_territory_msl(login, world):
    response = login("mia").post(FORM.format("H1"), data=good(msl_id="M3"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_for(html, "msl_id") == ["must be an MSL of this HCP's territory; got M3"]
    assert len(touchpoints(world)) == 6


def test_manager_picks_from_the_hcp_territory(login):
    html = login("max").get(FORM.format("H4")).get_data(as_text=True)
    assert set(re.findall(r'<option value="(M\d)"', html)) == {"M3"}
    assert '<option value="M3" selected>' in html  # the only one


# --- validation ---------------------------------------------------------------------------------


def test_errors_next_to_fields_values_kept_and_escaped(login, world):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = login("mia").post(
        FORM.format("H1"),
        data=good(date=tomorrow, insight_category="gossip", insight=EVIL, topic='"><b>x</b>'),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_for(html, "date") == [f"date {tomorrow} is in the future"]
    (category,) = error_for(html, "insight_category")
    assert category.startswith("not an allowed insight category; allowed: unmet need, ")
    assert category.endswith("; got gossip")
    assert "web form:1:" not in html  # the messages of a load, without file:line
    assert f'value="{tomorrow}"' in html
    assert EVIL_ESCAPED in html and "<script>alert" not in html and "<img src=x" not in html
    assert 'value="&#34;&gt;&lt;b&gt;x&lt;/b&gt;"' in html
    assert '<option value="M1" selected>' in html and 'aria-invalid="true"' in html
    assert len(touchpoints(world)) == 6


def test_missing_required_fields(login, world):
    response = login("ada").post(FORM.format("H1"), data={"insight": "no date, no MSL"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_for(html, "date") == ["required value is empty"]
    assert error_for(html, "msl_id") == ["required value is empty"]
    assert "no date, no MSL" in html
    assert len(touchpoints(world)) == 6


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"date": "30/06/2025"}, "date", "not a date (expected YYYY-MM-DD): 30/06/2025"),
        (
            {"sentiment": "ecstatic"},
            "sentiment",
            "must be one of positive, neutral, negative; got ecstatic",
        ),
        (
            {"channel": "carrier pigeon"},
            "channel",
            "must be one of in-person, virtual, phone, email, congress, other; got carrier pigeon",
        ),
        ({"insight": "x" * 5001}, "insight", "at most 5,000 characters (got 5,001)"),
    ],
)
def test_other_bad_values(login, world, change, field, message):
    response = login("ada").post(FORM.format("H1"), data=good(**change))
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), field) == [message]
    assert len(touchpoints(world)) == 6


def test_category_in_any_case_is_stored_as_the_vocabulary(login, world):
    assert (
        login("ada").post(FORM.format("H2"), data=good(insight_category="UNMET NEED")).status_code
        == 302
    )
    assert "unmet need" in set(touchpoints(world)["insight_category"])
    assert (touchpoints(world)["insight_category"] == "UNMET NEED").sum() == 0


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def _token(client, path: str) -> str:
    return re.search(
        r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)
    ).group(1)


def test_csrf_is_required(csrf_on, client, auth, world):
    assert auth.login("mia", csrf_token=_token(client, "/login")).status_code == 302
    response = client.post(FORM.format("H1"), data=good())
    assert response.status_code == 400 and "reload the page" in response.get_data(as_text=True)
    assert len(touchpoints(world)) == 6
    response = client.post(
        FORM.format("H1"), data=good(csrf_token=_token(client, FORM.format("H1")))
    )
    assert response.status_code == 302
    assert len(touchpoints(world)) == 7


def test_hcp_without_an_msl_in_territory(login, world):
    with EmbeddedStore(world) as store:
        store.load(
            {
                "hcps": frame(
                    "hcps",
                    [
                        (
                            "H6",
                            "Eve",
                            "East",
                            None,
                            None,
                            None,
                            None,
                            None,
                            None,
                            "East",
                            None,
                            None,
                            None,
                        )
                    ],
                )
            }
        )
    client = login("ada")
    assert "No MSL covers this HCP" in client.get(FORM.format("H6")).get_data(as_text=True)
    response = client.post(FORM.format("H6"), data=good(msl_id="M1"))
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "msl_id") == [
        "no MSL covers this HCP's territory"
    ]
    assert len(touchpoints(world)) == 6
