"""Sessions end (logout, lifetime, idle timeout, password change, removal), failed logins
slow down and lock, request sizes are capped, redirects never trust the Host header."""

from __future__ import annotations

import sqlite3

import pytest

from kolgraph import users
from kolgraph.users import SessionPolicy
from kolgraph.web.audit import recent
from kolgraph.web.auth import LoginLimits

PASSWORD = "correct horse battery"


class Clock:
    """A settable clock for sessions and failed logins."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    ticking = Clock()
    monkeypatch.setattr(users, "clock", ticking)
    return ticking


@pytest.fixture
def app_config():
    return {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "KOLGRAPH_SESSION_POLICY": SessionPolicy(lifetime=12 * 3600, idle=3600),
        "KOLGRAPH_LOGIN_LIMITS": LoginLimits(slow_after=3, lock_after=5, lock_seconds=900),
    }


def _saved_cookie(client) -> str:
    return client.get_cookie("session").value


# --- sessions end ----------------------------------------------------------------------------


def test_a_saved_cookie_is_worthless_after_logout(app, client, auth, clock):
    auth.login("ada")
    saved = _saved_cookie(client)
    assert auth.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert replay.get("/api/v1/top").status_code == 401
    assert replay.get("/").status_code == 302


def test_logout_ends_only_that_session(app, auth, clock):
    other = app.test_client()
    other.post("/login", data={"username": "ada", "password": PASSWORD})
    auth.login("ada")
    auth.logout()
    assert other.get("/api/v1/top").status_code == 200


def test_idle_sessions_end(client, auth, clock):
    auth.login("ada")
    clock.now += 3000
    assert client.get("/api/v1/top").status_code == 200  # used: idle time starts again
    clock.now += 3000
    assert client.get("/api/v1/top").status_code == 200
    clock.now += 3601
    assert client.get("/api/v1/top").status_code == 401


def test_sessions_end_after_their_lifetime_however_busy(client, auth, clock):
    auth.login("ada")
    for _ in range(23):
        clock.now += 1800
        assert client.get("/api/v1/top").status_code == 200
    clock.now += 1801  # 12 h after the login
    assert client.get("/api/v1/top").status_code == 401


def test_the_cookie_expiry_does_not_slide(client, auth, clock):
    auth.login("ada")
    response = client.get("/api/v1/top")
    assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_lifetime_and_idle_timeout_are_configurable(home, monkeypatch):
    from kolgraph.config import Settings
    from kolgraph.web import create_app

    monkeypatch.setenv("KOLGRAPH_SESSION_HOURS", "2")
    monkeypatch.setenv("KOLGRAPH_SESSION_IDLE_MINUTES", "5")
    app = create_app({"TESTING": True}, settings=Settings(home=home))
    assert app.config["KOLGRAPH_SESSION_POLICY"] == SessionPolicy(lifetime=7200, idle=300)
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 7200


def test_a_password_change_ends_every_session_of_that_user(app, client, auth, home, runner):
    auth.login("max")
    other = app.test_client()
    other.post("/login", data={"username": "ada", "password": PASSWORD})
    result = runner.invoke("users", "password", "max", input="a new password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/top").status_code == 401
    assert other.get("/api/v1/top").status_code == 200  # other users keep theirs
    assert auth.login("max", "a new password").status_code == 302


def test_users_remove_ends_the_sessions(client, auth, runner):
    auth.login("max")
    assert runner.invoke("users", "remove", "max").exit_code == 0
    assert client.get("/api/v1/top").status_code == 401


def test_abandoned_sessions_are_deleted_at_the_next_login(app, auth, home, clock):
    for _ in range(3):
        app.test_client().post("/login", data={"username": "max", "password": PASSWORD})
    clock.now += 3601  # idle too long; their cookies are never shown again
    auth.login("ada")
    with sqlite3.connect(home / "users.sqlite3") as db:
        assert [user for (user,) in db.execute("SELECT user FROM sessions")] == ["ada"]


def test_session_ids_are_stored_hashed(client, auth, home):
    auth.login("ada")
    raw = (home / "users.sqlite3").read_bytes()
    with client.session_transaction() as session:
        assert session["_user_id"].encode() not in raw


# --- login abuse -----------------------------------------------------------------------------


def test_failed_logins_slow_down_then_lock(client, auth, clock, home):
    for _ in range(3):
        assert auth.login("ada", "wrong password").status_code == 401
    slowed = auth.login("ada", PASSWORD)  # even the right password must wait
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
    clock.now += 1
    assert auth.login("ada", "wrong password").status_code == 401
    clock.now += 2
    assert auth.login("ada", "wrong password").status_code == 401  # the fifth: locked
    clock.now += 600
    locked = auth.login("ada", PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 300
    assert "Too many failed logins" in locked.get_data(as_text=True)
    clock.now += 301
    assert auth.login("ada", PASSWORD).status_code == 302
    actions = [e["action"] for e in recent(home)]
    assert actions.count("login_locked") == 1  # recorded once, not per refused attempt
    assert actions.count("login_failed") == 5


def test_one_client_trying_many_names_is_locked_too(client, auth, clock):
    for n in range(5):
        auth.login(f"nobody{n}", "wrong password")
    assert auth.login("ada", PASSWORD).status_code == 429


def test_other_users_are_not_locked_out_by_one_name(app, auth, clock):
    for _ in range(5):
        auth.login("max", "wrong password")
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/login",
        data={"username": "ada", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302


def test_the_audit_log_stores_a_bounded_sanitised_name(auth, home, clock):
    auth.login("x" * 5000 + "\r\nforged\u202e\x00", "wrong password")
    entry = recent(home, 1)[0]
    assert entry["action"] == "login_failed"
    assert len(entry["user"]) <= 200
    assert not any(c in entry["user"] for c in "\r\n\x00\u202e")


def test_a_long_user_name_is_not_echoed(auth, clock):
    long_name = "y" * 10_000
    response = auth.login(long_name, "wrong password")
    assert response.status_code == 401
    assert long_name not in response.get_data(as_text=True)


@pytest.mark.parametrize("size", [100_000, 10 * 1024 * 1024])
def test_big_form_fields_and_bodies_are_413(auth, size):
    response = auth.login("z" * size, "wrong password")
    assert response.status_code == 413
    assert len(response.get_data()) < 10_000


@pytest.mark.parametrize("path", ["/login", "/logout", "/hcp/H01/touchpoints/new", "/nowhere"])
def test_a_big_body_on_any_route_is_413(client, auth, path):
    auth.login("ada")
    response = client.post(path, data=b"a" * (2 * 1024 * 1024), content_type="text/plain")
    assert response.status_code == 413


@pytest.mark.parametrize(
    "target", ["/gaps\r\nSet-Cookie: x=1", "/gaps\nx", "/gaps\x00", "/gaps\x7f", "/" + "a" * 5000]
)
def test_next_with_control_characters_is_refused(auth, target):
    response = auth.login("ada", next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "path, expected",
    [("/api//v1//top", "/api/v1/top"), ("/api/v1//top", "/api/v1/top"), ("/network", "/network/")],
)
def test_routing_redirects_never_use_the_host_header(client, auth, path, expected):
    client.post(
        "/login",
        data={"username": "ada", "password": PASSWORD},
        base_url="http://evil.example",
    )
    response = client.get(
        "/",
        base_url="http://evil.example",
        query_string={"a": "1"},
        environ_overrides={"PATH_INFO": path},
    )
    assert response.status_code == 308
    assert response.headers["Location"] == expected + "?a=1"


def test_behind_a_proxy_clients_are_told_apart(home, monkeypatch, clock):
    from kolgraph.config import Settings
    from kolgraph.web import create_app

    monkeypatch.setenv("KOLGRAPH_PROXY_HOPS", "1")
    monkeypatch.setenv("KOLGRAPH_LOGIN_LOCK_AFTER", "5")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, settings=Settings(home=home))
    client = app.test_client()

    def login(name, password, address):
        data = {"username": name, "password": password}
        return client.post("/login", data=data, headers={"X-Forwarded-For": address})

    for n in range(5):
        login(f"nobody{n}", "wrong password", "203.0.113.7")
    assert login("max", PASSWORD, "203.0.113.7").status_code == 429
    assert login("ada", PASSWORD, "198.51.100.2").status_code == 302
