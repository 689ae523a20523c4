"""A lost embedded database is a 503 until it is back; nothing creates an empty one."""

from __future__ import annotations

import pytest
from web_data import loaded  # noqa: F401  (fixture)

from kolgraph.store.sqlite import DB_FILENAME

ROUTES = ["/", "/api/v1/top", "/api/v1/gaps", "/gaps", "/hcps?q=a", "/api/v1/hcps/H01"]


@pytest.fixture
def admin(loaded, auth):
    return auth.as_user("ada")


def _all_answered(client, status: int) -> bool:
    return all(client.get(route).status_code == status for route in ROUTES)


@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_a_lost_database_is_a_503_not_an_empty_answer(admin, home, how):
    database = home / DB_FILENAME
    assert _all_answered(admin, 200)
    aside = home.parent / "aside.sqlite3"
    if how == "moved":
        database.rename(aside)
    else:
        aside.write_bytes(database.read_bytes())
        database.unlink()
    response = admin.get("/api/v1/top")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert _all_answered(admin, 503)
    assert not database.exists()  # no new, empty store was created
    aside.rename(database)
    assert _all_answered(admin, 200)
    assert admin.get("/api/v1/top").json  # the data, not []


def test_a_home_without_a_store_is_a_503(client, auth, home):
    (home / DB_FILENAME).unlink()
    auth.login("ada")
    assert client.get("/api/v1/top").status_code == 503
    assert not (home / DB_FILENAME).exists()
