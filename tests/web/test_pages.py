"""The pages, for every role: content, territory scoping, escaping, filters, exports, errors.

Data: ``tests/data/web_bundle`` (see ``web_data.py``).  ``mia`` is an msl of North; ``ada``
(admin) and ``max`` (manager) see every territory.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from web_data import EVIL, EVIL_ESCAPED, NORTH, SOUTH, loaded  # noqa: F401 (fixture)

from kolgraph.audit import recent
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore

ALL_ROLES = ("ada", "max", "mia")
PAGES = (
    "/",
    "/hcps?q=onc",
    "/hcp/H01",
    "/hcp/H01/collaborators",
    "/network/",
    "/network/hcp/H01",
    "/network/institution/I1",
    "/network/territory/North",
    "/gaps",
    "/exports",
    "/insights",
)


def ids_in(html: str) -> set[str]:
    """The hcp ids of the rows of a page's tables (``data-hcp-id`` on ``tr``)."""
    return set(re.findall(r'<tr data-hcp-id="([^"]+)"', html))


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def as_user(auth, loaded):
    """Log in as the given user on the loaded graph; returns the client."""
    return auth.as_user


# --- login and roles -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_login(client, loaded, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("user", ALL_ROLES)
@pytest.mark.parametrize("url", PAGES)
def test_every_page_works_for_every_role(as_user, user, url):
    html = page(as_user(user), url)
    assert "<script>alert" not in html and EVIL not in html


def test_navigation_links_every_section(as_user):
    html = page(as_user("max"), "/")
    for href in ("/hcps", "/network/", "/gaps", "/insights", "/exports"):
        assert f'href="{href}"' in html


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_coverage_and_gaps_for_all_territories(as_user):
    html = page(as_user("ada"), "/")
    assert set(re.findall(r'<tr data-territory="([^"]+)"', html)) == {"North", "South"}
    assert ids_in(html) == {"H04"}  # the only stale tier 1-2 HCP
    assert 'data-label="HCP"><div class="n">7<' in html


def test_dashboard_counts_the_tier12_hcps_of_no_territory(auth, loaded):
    """H04 (tier 1-2, South, stale) loses its territory: a row of no territory counts it for
    those who see every territory, and an msl's dashboard has no such row."""
    with EmbeddedStore(loaded) as store:
        hcps = store.table("hcps", TABLES_BY_NAME["hcps"].column_names)
        store.load({"hcps": hcps[hcps["hcp_id"] == "H04"].assign(territory=None)})
    html = page(auth.as_user("max"), "/")
    row = re.search(r'<tr id="no-territory"[^>]*>(.*?)</tr>', html, re.DOTALL)
    assert row, html
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]
    assert cells[:4] == ["no territory", "1", "0", "0%"]
    auth.logout()
    assert 'id="no-territory"' not in page(auth.as_user("mia"), "/")


def test_dashboard_of_an_msl_shows_only_their_territory(as_user):
    html = page(as_user("mia"), "/")
    assert set(re.findall(r'<tr data-territory="([^"]+)"', html)) == {"North"}
    assert ids_in(html) == set()


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("oncology", {"H01", "H02", "H04"}),  # specialty
        ("northcott", {"H01"}),  # name, any case
        ("south medical", {"H04", "H05", "H06"}),  # institution
        ("thrombosis", {"H04", "H05", "H07"}),  # MeSH topic
    ],
)
def test_search_matches_name_specialty_institution_topic(as_user, query, expected):
    assert ids_in(page(as_user("max"), f"/hcps?q={query}")) == expected


def test_search_of_an_msl_is_scoped(as_user):
    client = as_user("mia")
    assert ids_in(page(client, "/hcps?q=oncology")) == {"H01", "H02"}
    page(client, "/hcps?q=oncology&territory=South", 404)


def test_search_page_without_query_lists_nothing(as_user):
    html = page(as_user("ada"), "/hcps")
    assert 'id="hcp-search-form"' in html and ids_in(html) == set()


def test_evil_name_is_escaped_in_search(as_user):
    html = page(as_user("ada"), "/hcps?q=onerror")
    assert ids_in(html) == {"H02"} and EVIL_ESCAPED in html and EVIL not in html
    assert "North General &lt;b&gt;Hospital&lt;/b&gt;" in html


# --- profile ---------------------------------------------------------------------------------


def test_profile_shows_score_breakdown_and_evidence(as_user):
    html = page(as_user("ada"), "/hcp/H01")
    assert 'id="hcp-name">Nora Northcott' in html
    assert len(re.findall(r'<tr data-component="', html)) == 5
    for pmid in ("1001", "1002", "1005"):
        assert f'data-pmid="{pmid}"' in html
    assert 'data-nct-id="NCT0001"' in html and 'data-institution-id="I1"' in html
    assert 'data-count="2"' in html  # two touchpoints in the timeline
    # newest touchpoint first
    assert html.index('data-touchpoint-id="TP1"') < html.index('data-touchpoint-id="TP2"')


def test_profile_contributions_add_up_to_influence(as_user, client):
    data = as_user("ada").get("/api/v1/hcps/H01").get_json()
    total = sum(row["contribution"] for row in data["score_breakdown"])
    assert total == pytest.approx(data["score"]["influence"], abs=0.3)


def test_profile_escapes_titles_insights_and_names(as_user):
    html = page(as_user("ada"), "/hcp/H01")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html  # publication title
    assert "Wants &lt;script&gt;alert(3)&lt;/script&gt; stage II data" in html  # insight
    assert EVIL_ESCAPED in html  # the co-author's name
    assert "<script>alert" not in html and EVIL not in html


def test_profile_of_the_evil_hcp_is_escaped(as_user):
    html = page(as_user("ada"), "/hcp/H02")
    assert f"<title>{EVIL_ESCAPED} · kolgraph</title>" in html and EVIL not in html


def test_profile_lists_coauthors_suggestions_and_intro(as_user):
    html = page(as_user("ada"), "/hcp/H07")
    assert 'id="warm-intro" data-found="yes"' in html
    assert re.search(r'<ol class="path" id="intro-path" data-length="1"', html)  # via H05, engaged
    assert ids_in(html[html.index('id="coauthors"') :]) == {"H05", "H04", "H06"}


def test_intro_of_an_msl_starts_in_their_territory_and_hides_others(as_user):
    html = page(as_user("mia"), "/hcp/H07")
    assert re.search(r'<ol class="path" id="intro-path" data-length="3"', html)  # from H01
    assert 'data-hcp-id="H01"' in html and "(HCP outside your territory)" in html
    assert "Hector" not in html and "Southey" not in html


def test_profile_of_another_territory_is_404_for_an_msl(as_user):
    client = as_user("mia")
    page(client, "/hcp/H01")
    for url in ("/hcp/H04", "/hcp/H04/collaborators", "/hcp/NOPE"):
        html = page(client, url, 404)
        assert "Southey" not in html


def test_profile_of_an_msl_hides_out_of_territory_people(as_user):
    html = page(as_user("mia"), "/hcp/H01")
    coauthors = html[html.index('id="coauthors"') : html.index('id="suggestions"')]
    assert ids_in(coauthors) == {"H02", "H03"}  # not H04 (South)
    assert "Southey" not in html and "Hector" not in html


def test_unknown_hcp_is_404(as_user):
    page(as_user("ada"), "/hcp/NOPE", 404)


# --- collaborators and paths -----------------------------------------------------------------


def test_collaborators_page_with_a_path(as_user):
    html = page(as_user("ada"), "/hcp/H07/collaborators?to=H01")
    assert re.search(r'id="path-result" data-length="3"', html)
    assert "Hector Hale" in html and ids_in(html) >= {"H05"}


def test_path_through_another_territory_is_anonymous_for_an_msl(as_user):
    html = page(as_user("mia"), "/hcp/H07/collaborators?to=H01")
    assert re.search(r'id="path-result" data-length="3"', html)
    assert "(HCP outside your territory)" in html
    assert "Hector" not in html and "Southey" not in html


def test_path_to_another_territory_is_404_for_an_msl(as_user):
    page(as_user("mia"), "/hcp/H01/collaborators?to=H04", 404)


# --- gaps ------------------------------------------------------------------------------------


def test_gaps_default_and_filters(as_user):
    client = as_user("max")
    assert ids_in(page(client, "/gaps")) == {"H04"}
    assert ids_in(page(client, "/gaps?max_tier=4")) == {
        "H02",
        "H03",
        "H04",
        "H05",
        "H06",
        "H07",
    } - {"H05"}
    assert ids_in(page(client, "/gaps?max_tier=4&territory=North")) == {"H02", "H03", "H07"}
    assert ids_in(page(client, "/gaps?max_tier=4&include_engaged=1")) == NORTH | SOUTH


def test_gaps_sorting(as_user):
    client = as_user("max")
    html = page(client, "/gaps?max_tier=4&sort=name&order=asc")
    names = re.findall(r'<tr data-hcp-id="([^"]+)"', html)
    assert names == ["H02", "H03", "H07", "H06", "H04"]  # "<img ..." sorts first, then by name
    html = page(client, "/gaps?max_tier=4&sort=influence&order=asc")
    assert re.findall(r'<tr data-hcp-id="([^"]+)"', html)[-1] == "H04"


def test_gaps_escape_names(as_user):
    html = page(as_user("ada"), "/gaps?max_tier=4")
    assert EVIL_ESCAPED in html and EVIL not in html


def test_gaps_of_an_msl_are_scoped(as_user):
    client = as_user("mia")
    assert ids_in(page(client, "/gaps?max_tier=4")) == {"H02", "H03", "H07"}
    page(client, "/gaps?territory=South", 404)
    assert ids_in(page(client, "/gaps?territory=North&max_tier=4")) == {"H02", "H03", "H07"}


@pytest.mark.parametrize(
    "query",
    [
        "max_tier=x",
        "top=0",
        "stale_days=-1",
        "as_of=2020-13-01",
        "as_of=2999-01-01",
        "sort=bogus",
        "order=sideways",
    ],
)
def test_gaps_bad_filters_are_400(as_user, query):
    html = page(as_user("ada"), f"/gaps?{query}", 400)
    assert "Traceback" not in html


def test_gaps_export_links_keep_filters(as_user):
    html = page(as_user("ada"), "/gaps?max_tier=3&stale_days=30")
    link = re.search(r'id="gaps-export-csv" href="([^"]+)"', html).group(1)
    assert (
        link.startswith("/exports/targets.csv?")
        and "max_tier=3" in link
        and "stale_days=30" in link
    )


# --- exports ---------------------------------------------------------------------------------


def test_csv_export_is_downloaded_and_audited(as_user, loaded):
    response = as_user("max").get("/exports/targets.csv?max_tier=4")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["hcp_id"] for r in rows} == {"H02", "H03", "H04", "H06", "H07"}
    entry = recent(loaded)[0]
    assert (entry["user"], entry["action"], entry["rows"]) == ("max", "export", 5)
    assert "max tier=4" in entry["what"]


def test_xlsx_export(as_user):
    response = as_user("ada").get("/exports/targets.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_export_of_an_msl_holds_only_their_territory(as_user, loaded):
    client = as_user("mia")
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/exports/targets.csv?max_tier=4").get_data(as_text=True))
        )
    )
    assert {r["hcp_id"] for r in rows} == {"H02", "H03", "H07"}
    assert client.get("/exports/targets.csv?territory=South").status_code == 404
    assert [e["rows"] for e in recent(loaded) if e["action"] == "export"] == [3]


def test_export_unknown_format_is_404(as_user):
    page(as_user("ada"), "/exports/targets.pdf", 404)


# --- network views ---------------------------------------------------------------------------


def network_data(html: str) -> dict:
    import json

    return json.loads(re.search(r'class="network-data">(.*?)</script>', html, re.S).group(1))


def test_ego_network_hops(as_user):
    client = as_user("ada")
    one = {n["id"] for n in network_data(page(client, "/network/hcp/H07"))["nodes"]}
    two = {n["id"] for n in network_data(page(client, "/network/hcp/H07?hops=2"))["nodes"]}
    assert one == {"H07", "H05"} and two == {"H07", "H05", "H04", "H06"}


def test_network_filters_and_colours(as_user):
    client = as_user("ada")
    data = network_data(page(client, "/network/territory/North?color=engagement&engagement=never"))
    assert {n["id"] for n in data["nodes"]} == {"H02", "H03", "H07"}
    assert {n["color"] for n in data["nodes"]} == {"#dc2626"}
    data = network_data(page(client, "/network/hcp/H01?min_papers=2"))
    assert {n["id"] for n in data["nodes"]} == {"H01", "H02"}
    assert [e["width"] for e in data["edges"]] == [2.5]
    data = network_data(page(client, "/network/hcp/H01?tier=1&hops=2"))
    assert {n["id"] for n in data["nodes"]} == {"H01", "H04"}  # the centre always stays


def test_network_node_links_and_escaped_tooltips(as_user):
    html = page(as_user("ada"), "/network/institution/I1")
    nodes = {n["id"]: n for n in network_data(html)["nodes"]}
    assert set(nodes) == {"H01", "H02"}  # H03's affiliation ended
    assert nodes["H02"]["url"] == "/hcp/H02"
    assert EVIL_ESCAPED in nodes["H02"]["title"]
    assert "North General &lt;b&gt;Hospital&lt;/b&gt;" in nodes["H01"]["title"]
    assert EVIL not in html.replace("\\u003c", "<").split('class="network-data">')[0]


def test_network_of_an_msl_is_scoped(as_user):
    client = as_user("mia")
    nodes = {n["id"] for n in network_data(page(client, "/network/hcp/H01?hops=2"))["nodes"]}
    assert nodes == {"H01", "H02", "H03"}
    page(client, "/network/territory/South", 404)
    page(client, "/network/hcp/H04", 404)
    html = page(client, "/network/institution/I2")
    assert 'id="network-empty"' in html and "Southey" not in html


def test_network_explorer_redirects(as_user):
    client = as_user("ada")
    assert client.get("/network/?hcp_id=H01").headers["Location"].endswith("/network/hcp/H01")
    assert (
        client.get("/network/?territory=North")
        .headers["Location"]
        .endswith("/network/territory/North")
    )


@pytest.mark.parametrize(
    "url, status",
    [
        ("/network/hcp/H01?hops=3", 400),
        ("/network/hcp/H01?color=rainbow", 400),
        ("/network/hcp/H01?min_papers=0", 400),
        ("/network/hcp/H01?engagement=bored", 400),
        ("/network/hcp/NOPE", 404),
        ("/network/institution/NOPE", 404),
    ],
)
def test_network_bad_input(as_user, url, status):
    page(as_user("ada"), url, status)


RECENT = re.compile(r'<tr data-touchpoint-id="([^"]+)"')


def test_dashboard_shows_recent_insights_escaped(as_user):
    html = page(as_user("ada"), "/")
    assert set(RECENT.findall(html)) == {"TP1", "TP2", "TP3"}  # H01, H04: the tier 1-2 HCPs
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html and "<script>alert(3)" not in html


def test_dashboard_insights_of_an_msl_are_their_territory_only(as_user):
    assert set(RECENT.findall(page(as_user("mia"), "/"))) == {"TP1", "TP2"}  # North only
