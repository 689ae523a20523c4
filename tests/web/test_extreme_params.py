"""Out-of-range parameters are a 400 on every page, API route and export, never a 500."""

from __future__ import annotations

import pytest
from web_data import loaded  # noqa: F401  (fixture)

#: Values that overflowed date arithmetic or SQLite integers (a 500) before they were bounded.
EXTREME = [
    ("stale_days", "999999999"),
    ("stale_days", "1000000"),
    ("stale_days", "-1"),
    ("stale_days", "1" * 60),
    ("as_of", "0001-01-01"),
    ("as_of", "9999-12-31"),
    ("since", "0001-01-01"),
    ("min_papers", str(10**30)),
    ("hops", str(10**30)),
    ("limit", str(10**30)),
    ("top", str(10**30)),
    ("max_tier", str(10**30)),
    ("tier", str(10**30)),
    ("page", str(10**30)),
    ("page", "9" * 5000),
]
#: Parameters each route reads: out of range there, the answer must be exactly 400.
USES = {
    "/gaps": {"stale_days", "as_of", "top", "max_tier", "page"},
    "/api/v1/gaps": {"stale_days", "as_of", "top", "max_tier"},
    "/api/v1/coverage": {"stale_days", "as_of"},
    "/exports/targets.csv": {"stale_days", "as_of", "top", "max_tier"},
    "/exports/targets.xlsx": {"stale_days", "as_of", "top", "max_tier"},
    "/network/hcp/H01": {"stale_days", "as_of", "min_papers", "hops", "tier"},
    "/network/territory/North": {"stale_days", "as_of", "min_papers", "tier"},
    "/hcp/H01": {"stale_days"},
    "/hcp/H01/collaborators": {"stale_days", "as_of", "limit"},
    "/api/v1/intro/H01": {"stale_days", "as_of"},
    "/changes": {"stale_days", "since"},
    "/map": {"stale_days", "as_of"},
    "/api/v1/top": {"limit"},
    "/api/v1/hcps": {"limit"},
    "/api/v1/hcps/H01/suggestions": {"limit"},
}
PLACEHOLDERS = {
    "<hcp_id>": "H01",
    "<institution_id>": "I1",
    "<name>": "North",
    "<fmt>": "csv",
}


def _get_routes(app) -> list[str]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "static" in rule.endpoint:
            continue
        path = rule.rule
        for placeholder, value in PLACEHOLDERS.items():
            path = path.replace(placeholder, value)
        routes.add(path)
    return sorted(routes | {"/exports/targets.xlsx"})


@pytest.fixture
def admin(loaded, client, auth):
    return auth.as_user("ada")


def test_the_table_covers_every_get_route(app):
    assert "<" not in "".join(_get_routes(app))
    assert set(USES) <= set(_get_routes(app))


@pytest.mark.parametrize("name, value", EXTREME)
def test_extreme_values_are_never_a_server_error(app, admin, name, value):
    for route in _get_routes(app):
        response = admin.get(route, query_string={name: value})
        expected = 400 if name in USES.get(route, ()) else response.status_code
        assert response.status_code < 500, (route, name, value)
        assert response.status_code == expected, (route, name, value)
        assert b"Traceback" not in response.get_data()


@pytest.mark.parametrize(
    "query",
    [{"stale_days": "36500", "as_of": "1900-01-01"}, {"as_of": "2020-01-01", "top": "1000000"}],
)
def test_values_at_the_bounds_are_answered(admin, query):
    assert admin.get("/api/v1/gaps", query_string=query).status_code == 200
    assert admin.get("/api/v1/coverage", query_string=query).status_code == 200
