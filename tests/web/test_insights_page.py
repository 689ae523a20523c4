"""The insights page, its CSV export and ``/api/v1/insights``: roles and scoping, filters, the
JSON shape, themes on demand, and escaping of the untrusted insight text.

Data: ``insights_world.py`` (North: 3 insights, South: 2; ``mia`` is an msl of North).
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from insights_world import (  # noqa: F401 (world, login: fixtures)
    IMG,
    PLANTED,
    SCRIPT,
    SOUTH_NOTES,
    TOUCHES,
    load_world,
    login,
    planted_touches,
    world,
)

from kolgraph.audit import recent

EVIL_TAGS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def api(client, url: str = "/api/v1/insights", status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (
        url,
        response.status_code,
        response.get_data(as_text=True),
    )
    return response.get_json()


def newest_ids(html: str) -> set[str]:
    return set(re.findall(r'<tr data-touchpoint-id="([^"]+)"', html))


def charts(html: str) -> list[dict]:
    """The chart data of the page, as insights.js reads it."""
    return [json.loads(unescape(raw)) for raw in re.findall(r"data-chart='([^']*)'", html)]


# --- roles and scoping -----------------------------------------------------------------------


def test_needs_login(client, world):
    assert client.get("/insights").status_code == 302
    assert client.get("/api/v1/insights").status_code == 401
    assert client.get("/insights/export.csv").status_code == 302


@pytest.mark.parametrize("user", ["ada", "max"])
def test_admin_and_manager_see_every_territory(login, user):
    client = login(user)
    report = api(client)
    assert report["total"] == 5  # T04 has no insight text
    assert report["counts"]["territory"] == {"North": 3, "South": 2}
    html = html_of(client, "/insights")
    assert '<select name="territory">' in html
    assert all(note in html for note in SOUTH_NOTES)


def test_msl_sees_only_their_territory(login):
    client = login("mia")
    report = api(client)
    assert report["filters"]["territory"] == "North"
    assert report["total"] == 3 and report["counts"]["territory"] == {"North": 3}
    assert {r["touchpoint_id"] for r in report["newest"]} == {"T01", "T02", "T03"}
    html = html_of(client, "/insights")
    assert not any(note in html for note in SOUTH_NOTES)
    assert '<select name="territory">' not in html  # nothing to choose
    assert newest_ids(html) == {"T01", "T02", "T03"}


@pytest.mark.parametrize(
    "url",
    [
        "/insights?territory=South",
        "/api/v1/insights?territory=South",
        "/insights/export.csv?territory=South",
    ],
)
def test_msl_asking_for_another_territory_is_refused(login, url):
    client = login("mia")
    response = client.get(url)
    assert response.status_code == 404
    assert not any(note in response.get_data(as_text=True) for note in SOUTH_NOTES)


def test_msl_naming_their_own_territory_is_fine(login):
    assert api(login("mia"), "/api/v1/insights?territory=North")["total"] == 3


# --- filters ---------------------------------------------------------------------------------


def test_filters_combine_and_are_bookmarkable(login):
    client = login("max")
    report = api(client, "/api/v1/insights?territory=North&since=2025-05-01&category=Safety")
    assert report["filters"] == {
        "territory": "North",
        "since": "2025-05-01",
        "tier": None,
        "category": "safety",
        "as_of": None,
    }
    assert report["total"] == 1 and report["newest"][0]["touchpoint_id"] == "T02"
    html = html_of(client, "/insights?territory=North&since=2025-05-01&category=safety")
    assert newest_ids(html) == {"T02"}
    assert '<option value="North" selected>' in html and 'value="2025-05-01"' in html
    assert '<option value="safety" selected>' in html
    # the export and JSON links keep the filters
    assert "/insights/export.csv?territory=North&amp;since=2025-05-01&amp;category=safety" in html


def test_tier_filter(login):
    client = login("ada")
    report = api(client, "/api/v1/insights?tier=1")
    assert report["total"] == 2 and report["counts"]["tier"] == {"1": 2}
    assert {r["touchpoint_id"] for r in report["newest"]} == {"T01", "T05"}


def test_blank_filters_mean_no_filter(login):
    report = api(login("ada"), "/api/v1/insights?territory=&since=&tier=&category=")
    assert report["total"] == 5


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=2025-13-01", "must be a date"),
        ("tier=first", "whole number"),
        ("category=gossip", "unknown insight category"),
        ("territory=Atlantis", "unknown territory"),
    ],
)
def test_bad_filters_are_a_clear_400(login, query, message):
    client = login("ada")
    assert message in api(client, f"/api/v1/insights?{query}", status=400)["error"]
    html = html_of(client, f"/insights?{query}", status=400)
    assert message in unescape(html) and "Traceback" not in html
    assert '<form class="filters' in html  # the form is still there to fix it


def test_counts_tables_and_charts(login):
    html = html_of(login("ada"), "/insights")
    assert '<div class="n" id="insight-total">5</div>' in html
    for dimension in ("category", "sentiment", "territory", "tier"):
        assert f'data-dimension="{dimension}"' in html
    bars, lines = charts(html)[:2]
    assert bars == {
        "kind": "bars",
        "labels": ["2025-Q1", "2025-Q2", "2025-Q3"],
        "values": [2, 1, 2],
    }
    assert lines["kind"] == "lines" and lines["labels"] == bars["labels"]
    assert {s["name"]: s["values"] for s in lines["series"]} == {
        "unmet need": [1, 0, 0],
        "safety": [0, 1, 0],
        "competitor": [0, 0, 1],
        "access and reimbursement": [1, 0, 0],
        "research interest": [0, 0, 1],
    }
    assert '<script src="/static/insights.js"></script>' in html


def test_newest_links_to_the_profile(login):
    html = html_of(login("ada"), "/insights")
    assert 'href="/hcp/H1"' in html and 'href="/hcp/H4"' in html


def test_chart_script_is_served_locally(login):
    client = login("ada")
    response = client.get("/static/insights.js")
    assert response.status_code == 200 and b"data-chart" in response.data
    assert b"innerHTML" not in response.data.replace(b"no innerHTML", b"")
    html = html_of(client, "/insights")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


# --- escaping ----------------------------------------------------------------------------------


def test_insight_text_is_escaped(login):
    client = login("ada")
    html = html_of(client, "/insights")
    for tag in EVIL_TAGS:
        assert tag not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; asked about dosing" in html
    assert "&lt;img src=x onerror=alert(1)&gt; switching to competitor" in html
    # stored as given, and given back as given in JSON
    assert {r["insight"] for r in api(client)["newest"]} >= {SCRIPT, IMG}


# --- the JSON API --------------------------------------------------------------------------------


def test_api_shape(login):
    report = api(login("ada"))
    assert set(report) == {"filters", "total", "counts", "category_by_quarter", "newest", "themes"}
    assert set(report["counts"]) == {"category", "sentiment", "territory", "tier", "quarter"}
    assert report["counts"]["sentiment"] == {"positive": 2, "neutral": 1, "negative": 2}
    assert report["counts"]["quarter"] == {"2025-Q1": 2, "2025-Q2": 1, "2025-Q3": 2}
    assert report["category_by_quarter"]["safety"] == {"2025-Q1": 0, "2025-Q2": 1, "2025-Q3": 0}
    assert report["themes"] is None
    first = report["newest"][0]
    assert first == {
        "date": "2025-09-01",
        "touchpoint_id": "T06",
        "hcp_id": "H5",
        "hcp_name": "FirstH5 LastH5",
        "tier": 2,
        "territory": "South",
        "msl_id": "M3",
        "msl_name": "Stan South",
        "insight_category": "research interest",
        "sentiment": "positive",
        "topic": "Research",
        "insight": SOUTH_NOTES[1],
    }


# --- the CSV export ------------------------------------------------------------------------------


def test_csv_export_is_scoped_and_audited(login, world):
    client = login("mia")
    response = client.get("/insights/export.csv?category=safety")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == {"dimension": "total", "value": "insights", "count": "1"}
    assert {r["value"]: r["count"] for r in rows if r["dimension"] == "territory"} == {"North": "1"}
    assert any(r["value"] == "safety|2025-Q2" and r["count"] == "1" for r in rows)
    entry = recent(world)[0]
    assert (entry["user"], entry["action"], entry["rows"]) == ("mia", "export", len(rows))
    assert "insights.csv" in entry["what"] and "territory North" in entry["what"]


# --- themes ------------------------------------------------------------------------------------


@pytest.fixture
def noted(home):
    """The world plus 24 planted North notes on two subjects (enough for themes)."""
    load_world(home, TOUCHES + planted_touches())
    return home


def test_themes_only_on_request(client, auth, noted):
    auth.login("ada")
    html = html_of(client, "/insights")
    assert 'class="themes"' not in html and 'id="find-themes" href="/insights?themes=1"' in html
    assert api(client)["themes"] is None


def test_themes_found_shown_and_scoped(client, auth, noted):
    auth.login("mia")
    themes = api(client, "/api/v1/insights?themes=1")["themes"]
    labels = [t["label"] for t in themes if t["theme"]]
    assert any("biomarker" in label for label in labels)
    assert any("authorization" in label for label in labels)
    html = html_of(client, "/insights?themes=1")
    assert html.count('<li class="theme"') == len(themes)
    sparks = [c for c in charts(html) if c["kind"] == "spark"]
    assert [s["values"] for s in sparks] == [list(t["trend"].values()) for t in themes]
    examples = {e["insight"] for t in themes for e in t["examples"]}
    assert examples and examples <= {p for ps in PLANTED.values() for p in ps} | {
        t[6] for t in TOUCHES if t[6]
    }
    assert not any(note in html for note in SOUTH_NOTES)  # scoped, themes included


def test_too_few_insights_for_themes(login):
    html = html_of(login("ada"), "/insights?themes=1")
    assert "Too few insights" in html


@pytest.mark.parametrize("user", ["ada", "mia"])
def test_an_empty_graph_is_zeros_not_an_error(client, auth, home, user):
    auth.login(user)
    report = api(client)
    assert report["total"] == 0 and report["newest"] == []
    assert report["filters"]["territory"] == ("North" if user == "mia" else None)
    assert "No insight from a tier 1-2 HCP." in html_of(client, "/insights")


# --- caching -----------------------------------------------------------------------------------


def test_the_report_is_read_once_per_data_version(login, home, monkeypatch):
    from kolgraph.store.base import GraphStore

    reads: dict[str, int] = {"insights_by_month": 0, "scored_tiers": 0}
    for name in reads:
        real = getattr(GraphStore, name)

        def counted(self, *args, _real=real, _name=name):
            reads[_name] += 1
            return _real(self, *args)

        monkeypatch.setattr(GraphStore, name, counted)
    client = login("ada")
    first = api(client)
    html_of(client, "/insights")
    assert api(client) == first
    # one report; the tiers of its check and of the form's choices
    assert reads == {"insights_by_month": 1, "scored_tiers": 2}
    load_world(home, TOUCHES + planted_touches())  # new data: a new version
    assert api(client)["total"] == first["total"] + len(planted_touches())
    assert reads["insights_by_month"] == 2
