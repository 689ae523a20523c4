"""Web app fixtures, as in flaskr: ``app`` -> ``client`` -> ``runner``, plus ``auth`` to log in.

Each test gets its own home folder with an empty embedded graph store and three users:
``ada`` (admin), ``max`` (manager) and ``mia`` (msl, territory ``North``).
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.config import Settings
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.users import USERS_FILE, UserStore
from kolgraph.web import create_app

PASSWORD = "correct horse battery"
USERS = {"ada": ("admin", None), "max": ("manager", None), "mia": ("msl", "North")}


@pytest.fixture(scope="session")
def users_file(tmp_path_factory):
    """A users database made once (password hashing is deliberately slow), copied per test."""
    store = UserStore(tmp_path_factory.mktemp("users") / USERS_FILE)
    for name, (role, territory) in USERS.items():
        store.add(name, PASSWORD, role, territory)
    return store.path


@pytest.fixture
def home(tmp_path, users_file, monkeypatch):
    """A fresh home folder with the test users and an empty embedded store."""
    monkeypatch.delenv("KOLGRAPH_SECRET_KEY", raising=False)
    monkeypatch.delenv("KOLGRAPH_SECURE_COOKIES", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(users_file, home / USERS_FILE)
    EmbeddedStore(home).close()
    return home


@pytest.fixture
def app_config():
    """Test config; a test may change it before asking for ``app`` (e.g. enable CSRF)."""
    return {"TESTING": True, "WTF_CSRF_ENABLED": False}


@pytest.fixture
def app(home, app_config):
    """The app on the test home folder (embedded backend)."""
    return create_app(app_config, settings=Settings(backend="embedded", home=home))


@pytest.fixture
def password():
    """The password of every test user."""
    return PASSWORD


@pytest.fixture
def client(app):
    return app.test_client()


class Runner:
    """Runs the ``kolgraph`` CLI on the test home folder."""

    def __init__(self, home):
        self.home = home

    def invoke(self, *args: str, input: str | None = None):
        return CliRunner().invoke(cli, ["--home", str(self.home), *args], input=input)


@pytest.fixture
def runner(home):
    return Runner(home)


class AuthActions:
    """Log the test client in and out."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "ada", password: str = PASSWORD, **extra):
        return self.client.post(
            "/login", data={"username": username, "password": password, **extra}
        )

    def as_user(self, username: str):
        """Log in as ``username`` (which must succeed); returns the client."""
        assert self.login(username).status_code == 302
        return self.client

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
