"""Login on every route, roles, territory scoping, the audit log, error pages and the 503."""

from __future__ import annotations

import getpass

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound
from werkzeug.routing import FloatConverter, IntegerConverter

from kolgraph.audit import recent, record_cli
from kolgraph.errors import NotFoundError, StoreUnavailable
from kolgraph.users import UserStore
from kolgraph.web import audit, stores
from kolgraph.web.auth import SessionUser
from kolgraph.web.security import (
    check_territory,
    current_scope,
    filter_scope,
    require_role,
    safe_next,
)


def _anonymous_requests(app):
    """One request per route (any URL variables filled with a dummy value)."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (
                rule.endpoint == "static"
                or rule.endpoint.endswith(".static")
                or rule.endpoint == "auth.login"
            ):
                continue
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
            values = {arg: _dummy(rule._converters.get(arg)) for arg in rule.arguments}
            url = rule.build(values, append_unknown=False)[1]
            yield method, url


def _dummy(converter):
    return 1 if isinstance(converter, (IntegerConverter, FloatConverter)) else "x1"


def test_every_route_requires_login(app, client):
    checked = list(_anonymous_requests(app))
    assert (
        ("GET", "/") in checked
        and ("POST", "/logout") in checked
        and ("GET", "/api/v1/audit") in checked
    )
    for method, url in checked:
        response = client.open(url, method=method)
        if url.startswith("/api/") or url.endswith(".json"):
            assert (response.status_code, response.json) == (401, {"error": "login required"}), url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login?next="), url


def test_unknown_urls_do_not_tell_anonymous_users_anything(client):
    assert client.get("/no/such/page").status_code == 302
    assert client.get("/api/v1/no-such-thing").status_code == 401


def test_static_files_and_vis_network_need_no_login(client):
    assert client.get("/static/kolgraph.css").status_code == 200
    response = client.get("/static/vendor/vis-network/vis-network.min.js")
    assert response.status_code == 200 and b"vis" in response.data[:2000]


def test_logged_in_unknown_page_is_a_friendly_404(client, auth):
    auth.login("max")
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["error"]


@pytest.mark.parametrize("user, status", [("ada", 200), ("max", 403), ("mia", 403)])
def test_audit_page_is_for_admins_only(client, auth, user, status):
    auth.login(user)
    page = client.get("/admin/audit")
    assert page.status_code == status
    if status == 403:
        assert "Not allowed" in page.get_data(as_text=True)
    api = client.get("/api/v1/audit")
    assert api.status_code == status
    assert isinstance(api.json, list if status == 200 else dict)


def test_audit_link_only_in_the_admin_menu(client, auth):
    auth.login("max")
    assert "/admin/audit" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("ada")
    assert "/admin/audit" in client.get("/").get_data(as_text=True)


def test_audit_records_web_and_cli_actions(app, client, auth, home):
    auth.login("nobody", "wrong password")
    auth.login("max")
    with app.test_request_context():
        login_user(SessionUser(UserStore.for_home(home).get("max")))
        audit.record("export", "gaps.csv <script>alert(1)</script>", 120)
    record_cli("load", "bundle/", 5000, home)
    entries = recent(home)
    assert [(e["user"], e["via"], e["action"], e["rows"]) for e in entries] == [
        (getpass.getuser(), "cli", "load", 5000),
        ("max", "web", "export", 120),
        ("max", "web", "login", 0),
        ("nobody", "web", "login_failed", 0),
    ]
    auth.logout()
    auth.login("ada")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "gaps.csv &lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "5,000" in page
    assert client.get("/api/v1/audit?limit=1").json[0]["action"] == "login"  # ada's own login


def _as(app, home, name):
    """A request context in which ``name`` is logged in."""
    context = app.test_request_context()
    context.push()
    login_user(SessionUser(UserStore.for_home(home).get(name)))
    return context


@pytest.mark.parametrize("user, scope", [("ada", None), ("max", None), ("mia", "North")])
def test_current_scope(app, home, user, scope):
    context = _as(app, home, user)
    try:
        assert current_scope() == scope
    finally:
        context.pop()


def test_check_territory_hides_other_territories_as_404(app, home):
    context = _as(app, home, "mia")
    try:
        check_territory("North")
        for other in ("South", None):
            with pytest.raises(NotFound):
                check_territory(other)
        rows = [{"hcp_id": "H1", "territory": "North"}, {"hcp_id": "H2", "territory": "South"}]
        assert filter_scope(rows) == rows[:1]
    finally:
        context.pop()


def test_managers_pass_every_territory(app, home):
    context = _as(app, home, "max")
    try:
        check_territory("South")
        assert len(filter_scope([{"territory": "North"}, {"territory": "South"}])) == 2
    finally:
        context.pop()


def test_require_role(app, client, auth):
    @app.get("/managers-only")
    @require_role("admin", "manager")
    def managers_only():
        return "ok"

    for user, status in (("ada", 200), ("max", 200), ("mia", 403)):
        auth.login(user)
        assert client.get("/managers-only").status_code == status
        auth.logout()


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/hcp/H1?x=1", "/hcp/H1?x=1"),
        ("", None),
        ("hcp/H1", None),
        ("//evil.example", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_security_headers(client):
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def store_routes(app):
    """An API route and a route raising domain errors, as later views will."""

    @app.get("/api/v1/store-stats")
    def store_stats():
        return stores.get_store().stats()

    @app.get("/missing")
    def missing():
        raise NotFoundError("no HCP 'H404'")

    @app.get("/broken")
    def broken():
        raise RuntimeError("a bug with a secret in it")


def _unreachable(settings):
    raise StoreUnavailable("cannot reach neo4j://db:7687")


def test_lost_database_is_a_503_and_the_app_recovers(store_routes, client, auth, monkeypatch):
    auth.login("max")
    with monkeypatch.context() as patch:
        patch.setattr(stores, "open_store", _unreachable)
        page = client.get("/")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "The graph database is not reachable; retry in a moment." in page.get_data(
            as_text=True
        )
        api = client.get("/api/v1/store-stats")
        assert api.status_code == 503 and "not reachable" in api.json["error"]
    assert client.get("/").status_code == 200  # the database is back: no restart needed
    assert "HCP" in client.get("/api/v1/store-stats").json["nodes"]


def test_domain_errors_become_friendly_pages(store_routes, client, auth):
    auth.login("max")
    missing = client.get("/missing")
    assert missing.status_code == 404 and "no HCP &#39;H404&#39;" in missing.get_data(as_text=True)
    broken = client.get("/broken")
    body = broken.get_data(as_text=True)
    assert broken.status_code == 500 and "Something went wrong" in body
    assert "secret" not in body and "Traceback" not in body
