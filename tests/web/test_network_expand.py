"""Expanding a node of an open network view: ``/network/hcp/<hcp_id>/coauthors.json``.

Same login, scope and filters as the network pages; JSON errors, never a login page or a
traceback; escaped titles.  Data: ``tests/data/web_bundle`` (see ``web_data.py``).
"""

from __future__ import annotations

import pytest
from web_data import EVIL, EVIL_ESCAPED, loaded  # noqa: F401 (fixture)

from kolgraph.web.auth import SessionUser

URL = "/network/hcp/{}/coauthors.json"


@pytest.fixture
def as_user(auth, loaded):
    return auth.as_user


def expand(client, hcp_id: str, query: str = "", status: int = 200) -> dict:
    response = client.get(URL.format(hcp_id) + query)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_co_authors_as_vis_records(as_user):
    found = expand(as_user("max"), "H01")
    nodes = {n["id"]: n for n in found["nodes"]}
    assert found["hcp_id"] == "H01" and found["total"] == len(nodes) == 4
    assert set(nodes) == {"H01", "H02", "H03", "H04"}
    assert nodes["H04"]["url"] == "/hcp/H04" and "x" not in nodes["H04"]
    assert {(e["from"], e["to"]) for e in found["edges"]} >= {("H01", "H04")} or {
        (e["to"], e["from"]) for e in found["edges"]
    } >= {("H01", "H04")}


def test_titles_are_escaped(as_user):
    nodes = {n["id"]: n for n in expand(as_user("max"), "H01")["nodes"]}
    assert EVIL_ESCAPED in nodes["H02"]["title"] and EVIL not in nodes["H02"]["title"]
    assert "North General &lt;b&gt;Hospital&lt;/b&gt;" in nodes["H01"]["title"]


def test_the_views_filters_apply(as_user):
    client = as_user("max")
    assert {n["id"] for n in expand(client, "H01", "?min_papers=2")["nodes"]} == {"H01", "H02"}
    nodes = expand(client, "H01", "?color=engagement&hops=2")["nodes"]
    assert {n["id"] for n in nodes} == {"H01", "H02", "H03", "H04"}  # one hop, always


def test_an_msl_gets_co_authors_of_their_territory_only(as_user):
    client = as_user("mia")
    assert {n["id"] for n in expand(client, "H01")["nodes"]} == {"H01", "H02", "H03"}


def test_another_territorys_hcp_is_a_json_404_for_an_msl(as_user):
    found = expand(as_user("mia"), "H04", status=404)
    assert found["status"] == 404 and "Southey" not in str(found)
    assert expand(as_user("mia"), "H01", "?territory=South", status=404)["status"] == 404


def test_unknown_hcp_and_bad_filters(as_user):
    client = as_user("max")
    assert expand(client, "NOPE", status=404)["status"] == 404
    assert "color" in expand(client, "H01", "?color=rainbow", status=400)["error"]
    assert expand(client, "H01", "?min_papers=0", status=400)["status"] == 400


def test_login_required_answers_json(client, loaded):
    response = client.get(URL.format("H01"))
    assert response.status_code == 401 and response.get_json() == {"error": "login required"}


def test_a_role_that_is_not_allowed_is_403(as_user, monkeypatch):
    """Fail closed: a role the app does not know (a new one, a corrupt record) sees nothing."""
    client = as_user("max")
    real_init = SessionUser.__init__

    def as_auditor(self, user, session_id=""):
        real_init(self, user, session_id)
        self.role = "auditor"

    monkeypatch.setattr(SessionUser, "__init__", as_auditor)
    assert expand(client, "H01", status=403)["status"] == 403


def test_the_drawing_knows_where_to_expand(as_user):
    html = as_user("max").get("/network/hcp/H01").get_data(as_text=True)
    assert 'data-expand-url="/network/hcp/HCP_ID/coauthors.json"' in html
    assert 'class="network-expand"' in html and 'class="network-png"' in html
