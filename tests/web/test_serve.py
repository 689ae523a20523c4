"""``kolgraph serve`` for real: several gunicorn workers (or one waitress process) on loopback,
a form login whose session every worker accepts, and a lost database as a 503 the server
recovers from without a restart."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.cli import cli
from kolgraph.ports import free_port, wait_until_listening
from kolgraph.serving import default_workers, multiprocess_supported

pytestmark = pytest.mark.slow


def start(home: Path, workers: int) -> tuple[subprocess.Popen, int]:
    """``kolgraph serve`` in its own process, listening; returns the process and its port."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kolgraph.cli",
            "--home",
            str(home),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(port, server)
    except BaseException:
        server.kill()
        server.communicate()
        raise
    return server, port


@contextmanager
def serving(home: Path, workers: int):
    """A started server; yields the base URL, stops the server after."""
    server, port = start(home, workers)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output


def _wait_for(port: int, server: subprocess.Popen) -> None:
    if not wait_until_listening(port, server):
        assert server.poll() is None, server.communicate()[0]
        raise AssertionError(f"kolgraph serve did not listen on {port}")


def logged_in(base_url: str, name: str, password: str) -> urllib.request.OpenerDirector:
    """An opener holding the session of ``name``, logged in through the form (CSRF included)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{base_url}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "username": name, "password": password})
    try:
        opener.open(f"{base_url}/login", data=body.encode())
    except urllib.error.HTTPError as error:
        assert error.code == 401  # a wrong password: the opener stays logged out
    return opener


def status(opener, url: str) -> int:
    try:
        return opener.open(url).status
    except urllib.error.HTTPError as error:
        return error.code


def test_default_workers():
    assert 2 <= default_workers() <= 8


@pytest.mark.skipif(not multiprocess_supported(), reason="gunicorn needs a POSIX system")
@pytest.mark.parametrize("workers", [1, 3])
def test_login_and_pages_in_every_worker(loaded, password, workers):
    with serving(loaded, workers) as url:
        anonymous = urllib.request.build_opener()
        assert status(anonymous, f"{url}/api/v1/hcps/H01") == 401
        mia = logged_in(url, "mia", password)
        # Each request opens a new connection, which any worker may take: the session and
        # the scoping hold in all of them (one secret key, one user database).
        for _ in range(12):
            assert status(mia, f"{url}/hcp/H01") == 200
            assert status(mia, f"{url}/hcp/H04") == 404  # South: outside mia's territory
        assert status(mia, f"{url}/gaps") == 200
        wrong = logged_in(url, "mia", "not the password")
        assert (
            status(wrong, f"{url}/gaps") == 200
            and "Log in" in wrong.open(f"{url}/gaps").read().decode()
        )


@pytest.mark.skipif(not multiprocess_supported(), reason="gunicorn needs a POSIX system")
def test_a_lost_database_is_a_503_until_it_is_back(loaded, password):
    database = loaded / "kolgraph.sqlite3"
    with serving(loaded, 2) as url:
        max_ = logged_in(url, "max", password)
        assert status(max_, f"{url}/gaps") == 200
        database.rename(loaded / "moved-away.sqlite3")
        database.mkdir()  # where the file was, something SQLite cannot open
        try:
            for _ in range(4):
                assert status(max_, f"{url}/gaps") == 503
                assert status(max_, f"{url}/hcp/H01") == 503
        finally:
            database.rmdir()
            (loaded / "moved-away.sqlite3").rename(database)
        for _ in range(4):
            assert status(max_, f"{url}/gaps") == 200


@pytest.mark.skipif(not multiprocess_supported(), reason="gunicorn needs a POSIX system")
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_server_cleanly_within_10_s(loaded, workers):
    caches_before = set(Path(tempfile.gettempdir()).glob("kolgraph-web-cache-*"))
    server, _port = start(loaded, workers)
    stopping = time.monotonic()
    server.terminate()  # SIGTERM, as service managers and containers send it
    output, _ = server.communicate(timeout=30)
    assert time.monotonic() - stopping <= 10
    assert server.returncode == 0 and "Traceback" not in output, output
    # The workers' shared answer cache goes with the server.
    assert set(Path(tempfile.gettempdir()).glob("kolgraph-web-cache-*")) <= caches_before


@pytest.mark.parametrize("command", [["serve"], ["demo"]], ids=" ".join)
def test_a_port_in_use_is_said_before_any_work(tmp_path, command):
    """Not after loading the demo or warming up (minutes at 500,000 HCPs)."""
    home = tmp_path / "home"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--home", str(home), *command, "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}: the port is in use" in result.output
    assert "--port" in result.output
    assert not (home / "kolgraph.sqlite3").exists()  # the demo loaded nothing


def test_a_host_that_does_not_resolve_is_said(tmp_path):
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "serve", "--host", "no-such-host.invalid"]
    )
    assert result.exit_code == 1
    assert "cannot serve on no-such-host.invalid:8000: no such host (check --host)" in (
        result.output
    )
