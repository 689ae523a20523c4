"""Logging in and out, CSRF, session cookies, the secret key, and ``kolgraph users``."""

from __future__ import annotations

import json
import re
import stat

import pytest

from kolgraph.config import Settings
from kolgraph.errors import ConfigError
from kolgraph.users import UserStore
from kolgraph.web import create_app

PASSWORD = "correct horse battery"  # the test users' password (conftest.PASSWORD)


def test_login_page_has_the_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page


def test_login_success_opens_the_dashboard(client, auth):
    response = auth.login("ada")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Graph overview" in page.get_data(as_text=True) and "ada" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "username, password", [("ada", "wrong password"), ("nobody", PASSWORD), ("", "")]
)
def test_login_failure_stays_logged_out(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_goes_to_a_local_path(auth):
    assert (
        auth.login("ada", next="/admin/audit?limit=5").headers["Location"] == "/admin/audit?limit=5"
    )


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(auth, target):
    assert auth.login("ada", next=target).headers["Location"] == "/"


def test_login_page_remembers_next(client):
    response = client.get("/admin/audit")
    assert response.headers["Location"] == "/login?next=/admin/audit"
    assert 'name="next" value="/admin/audit"' in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_logout_needs_post_and_ends_the_session(client, auth):
    auth.login("ada")
    assert client.get("/logout").status_code == 405
    assert auth.logout().headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_removed_user_is_logged_out(client, auth, home):
    auth.login("max")
    UserStore.for_home(home).remove("max")
    assert client.get("/").status_code == 302


def test_readded_user_does_not_revive_old_sessions(client, auth, home):
    auth.login("max")
    users = UserStore.for_home(home)
    users.remove("max")
    users.add("max", "another password", "manager")
    assert client.get("/").status_code == 302


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def _token(client, path="/login") -> str:
    return re.search(
        r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)
    ).group(1)


def test_csrf_rejects_a_form_without_token(csrf_on, client, auth):
    response = auth.login("ada")
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_csrf_accepts_the_form_token_and_protects_logout(csrf_on, client, auth):
    assert auth.login("ada", csrf_token=_token(client)).status_code == 302
    assert auth.logout().status_code == 400  # no token: still logged in
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": _token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def _session_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_session_cookie_is_httponly_lax(auth):
    cookie = _session_cookie_header(auth.login("ada"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert (
        "Expires=" in cookie
    )  # a permanent session with a lifetime, not "until the browser closes"


@pytest.mark.parametrize("value", ["1", "on", " TRUE "])
def test_secure_cookies_by_configuration(home, monkeypatch, value):
    monkeypatch.setenv("KOLGRAPH_SECURE_COOKIES", value)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, settings=Settings(home=home))
    response = app.test_client().post("/login", data={"username": "ada", "password": PASSWORD})
    assert "Secure" in _session_cookie_header(response)


def test_a_mistyped_secure_cookies_setting_stops_the_app(home, monkeypatch):
    """A typo must not silently send cookies over plain HTTP."""
    monkeypatch.setenv("KOLGRAPH_SECURE_COOKIES", "ture")
    with pytest.raises(
        ConfigError, match=r"^KOLGRAPH_SECURE_COOKIES must be 1 or 0 \(got 'ture'\)"
    ):
        create_app(settings=Settings(home=home))


def test_secret_key_is_generated_once_with_mode_0600(home):
    first = create_app(settings=Settings(home=home))
    key_file = home / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (
        first.config["SECRET_KEY"] == key_file.read_text().strip()
        and len(first.config["SECRET_KEY"]) >= 32
    )
    assert (
        create_app(settings=Settings(home=home)).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    )


def test_secret_key_from_the_environment(home, monkeypatch):
    monkeypatch.setenv("KOLGRAPH_SECRET_KEY", "from-the-environment")
    assert create_app(settings=Settings(home=home)).config["SECRET_KEY"] == "from-the-environment"
    assert not (home / "secret_key").exists()


def test_users_db_is_private(runner, tmp_path):
    runner.home = tmp_path / "fresh"
    assert (
        runner.invoke("users", "add", "root", "--role", "admin", input="long enough\n").exit_code
        == 0
    )
    assert stat.S_IMODE((runner.home / "users.sqlite3").stat().st_mode) == 0o600


# --- kolgraph users ------------------------------------------------------------------------


@pytest.fixture
def south_known(runner, tmp_path):
    """An alignment naming the territories North and South (the test store has no HCPs)."""
    rules = tmp_path / "align.csv"
    rules.write_text("territory,country,state,postal_code\nNorth,US,MA,\nSouth,US,TX,\n")
    assert runner.invoke("align", str(rules)).exit_code == 0


def test_users_add_reads_the_password_from_stdin(runner, client, auth, south_known):
    result = runner.invoke(
        "users", "add", "sam", "--role", "msl", "--territory", "South", input="s3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "added msl sam (territory South)" in result.output
    assert auth.login("sam", "s3cret-pass").status_code == 302


def test_users_add_refuses_a_territory_nobody_has(runner, south_known):
    args = ("users", "add", "sam", "--role", "msl", "--territory", "Suoth")
    result = runner.invoke(*args, input="s3cret-pass\n")
    assert result.exit_code == 1
    assert "no MSL, HCP or alignment rule has territory 'Suoth'" in result.output
    assert "(known: North, South)" in result.output and "--force" in result.output
    assert "sam" not in runner.invoke("users", "list", "--json").output
    result = runner.invoke(*args, "--force", input="s3cret-pass\n")
    assert result.exit_code == 0 and "added msl sam (territory Suoth)" in result.output


def test_users_list_json(runner):
    result = runner.invoke("users", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {(r["name"], r["role"], r["territory"]) for r in rows} == {
        ("ada", "admin", None),
        ("max", "manager", None),
        ("mia", "msl", "North"),
    }
    assert all(set(r) == {"name", "role", "territory", "created_at"} for r in rows)


def test_users_list_csv_never_shows_hashes(runner):
    result = runner.invoke("users", "list", "--csv")
    assert result.output.splitlines()[0] == "name,role,territory,created_at"
    assert "scrypt" not in result.output and "pbkdf2" not in result.output


def test_users_remove(runner):
    assert runner.invoke("users", "remove", "mia").output.strip() == "removed mia"
    assert "mia" not in runner.invoke("users", "list", "--json").output


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add", "ada", "--role", "admin"], "long enough\n", "user 'ada' already exists"),
        (["add", "bob", "--role", "admin"], "short\n", "too short: at least 8 characters"),
        (["add", "bob", "--role", "admin"], "\n", "the password is empty"),
        (["add", "bob", "--role", "msl"], "long enough\n", "an msl user needs --territory"),
        (
            ["add", "bob", "--role", "manager", "--territory", "North"],
            "long enough\n",
            "msl users only",
        ),
        (["add", "bad name", "--role", "admin"], "long enough\n", "invalid user name"),
        (["remove", "nobody"], None, "no user 'nobody'"),
    ],
)
def test_users_errors_are_one_clear_line(runner, args, stdin, message):
    result = runner.invoke("users", *args, input=stdin)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_users_add_bad_role_is_a_usage_error(runner):
    result = runner.invoke("users", "add", "bob", "--role", "root", input="long enough\n")
    assert result.exit_code == 2 and "'root' is not one of" in result.output
