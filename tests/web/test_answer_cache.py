"""Cached answers: reused while the data is unchanged, never served after a write, never
scoped wrongly; the dashboard's recent insights."""

from __future__ import annotations

import csv
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.config import Settings
from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.web import create_app
from kolgraph.web.cache import AnswerCache


def write_bundle(folder: Path, tables: dict[str, tuple[tuple, list[tuple]]]) -> Path:
    """A bundle folder with one CSV per table: ``{name: (columns, rows)}``."""
    folder.mkdir()
    for name, (columns, rows) in tables.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows(rows)
    return folder


def load(home: Path, folder: Path) -> None:
    with EmbeddedStore(home) as store:
        load_path(folder, store)


def page(client, url: str) -> str:
    """The page's HTML without its CSRF token (signed with the time, so it changes each second)."""
    html = client.get(url).get_data(as_text=True)
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def ids_in(html: str, section: str) -> list[str]:
    """The ``data-hcp-id`` rows of the ``<section id=...>`` (or table) named."""
    part = html.split(f'id="{section}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-hcp-id="([^"]+)"', part)


# --- the cache itself --------------------------------------------------------------------------


def counting():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    return calls, compute


def test_reused_while_the_version_is_unchanged():
    cache, (calls, compute) = AnswerCache(), counting()
    assert cache.get_or_compute("k", "v1", ("a", 1), compute) == {"n": 1}
    assert cache.get_or_compute("k", "v1", ("a", 1), compute) == {"n": 1}
    assert cache.get_or_compute("k", "v2", ("a", 1), compute) == {"n": 2}  # new data
    assert cache.get_or_compute("k", "v2", ("b", 1), compute) == {"n": 3}  # another key
    assert len(calls) == 3


def test_no_version_means_no_caching():
    cache, (calls, compute) = AnswerCache(), counting()
    cache.get_or_compute("k", None, "a", compute)
    cache.get_or_compute("k", None, "a", compute)
    assert len(calls) == 2


def test_shared_between_processes_through_the_file(tmp_path):
    """Two caches on one file stand for two worker processes."""
    path = tmp_path / "answers.sqlite3"
    first, second = AnswerCache(path), AnswerCache(path)
    calls, compute = counting()
    assert first.get_or_compute("s", "v1", ("H1", 5), compute, shared=True) == {"n": 1}
    assert second.get_or_compute("s", "v1", ("H1", 5), compute, shared=True) == {"n": 1}
    assert second.get_or_compute("s", "v2", ("H1", 5), compute, shared=True) == {"n": 2}
    assert first.get_or_compute("s", "v2", ("H1", 5), compute, shared=True) == {"n": 2}
    assert len(calls) == 2


def test_answers_of_older_data_leave_the_shared_file(tmp_path):
    path = tmp_path / "shared.sqlite3"
    first, second = AnswerCache(path), AnswerCache(path)
    for key in ("a", "b"):
        first.get_or_compute("s", "v1", key, lambda: {"n": 1}, shared=True)
    second.get_or_compute("s", "v1", "c", lambda: {"n": 1}, shared=True)
    second.get_or_compute("s", "v2", "d", lambda: {"n": 2}, shared=True)
    kept = sqlite3.connect(path).execute("SELECT key, version FROM answers").fetchall()
    assert kept == [('"d"', "v2")]


def test_a_broken_shared_file_is_bypassed(tmp_path):
    path = tmp_path / "answers.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    _, compute = counting()
    assert AnswerCache(path).get_or_compute("s", "v1", "x", compute, shared=True) == {"n": 1}
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT 1 FROM answers").fetchall()


def test_the_memory_level_is_bounded_by_rows():
    cache, calls = AnswerCache(rows=5), []

    def rows(n):
        def compute():
            calls.append(n)
            return list(range(n))

        return compute

    for key, n in (("a", 2), ("b", 2), ("c", 2), ("b", 2), ("a", 2)):
        cache.get_or_compute("k", "v", key, rows(n))
    assert len(calls) == 4  # "a" was evicted when "c" made 6 rows; "b" stayed


def test_a_pinned_answer_outlives_big_answers_until_the_data_changes():
    """The identity index is read once per data version (4.5 s at 500,000 HCPs): gap lists
    of 30,000 rows must not push it out of a worker's memory."""
    cache, calls = AnswerCache(rows=5), []

    def index():
        calls.append(1)
        return {"index": len(calls)}

    assert cache.get_or_compute("index", "v1", None, index, pinned=True) == {"index": 1}
    for key in "abcd":
        cache.get_or_compute("gaps", "v1", key, lambda: list(range(4)))
    assert cache.get_or_compute("index", "v1", None, index, pinned=True) == {"index": 1}
    assert cache.get_or_compute("index", "v2", None, index, pinned=True) == {"index": 2}
    assert len(calls) == 2


# --- pages -------------------------------------------------------------------------------------


def test_suggestions_follow_a_new_publication(loaded, client, auth):
    auth.as_user("ada")
    before = page(client, "/hcp/H01")
    suggested = ids_in(before, "suggestions")
    assert suggested and suggested[0] not in ids_in(before, "coauthors")
    assert page(client, "/hcp/H01") == before  # nothing changed, nor does the page
    newcomer = suggested[0]
    load(
        loaded,
        write_bundle(
            loaded / "paper",
            {
                "publications": (("pmid", "title", "year"), [("99999901", "A joint paper", 2025)]),
                "authorships": (
                    ("pmid", "hcp_id", "position"),
                    [("99999901", "H01", 1), ("99999901", newcomer, 2)],
                ),
            },
        ),
    )
    after = client.get("/hcp/H01").get_data(as_text=True)
    assert newcomer in ids_in(after, "coauthors") and newcomer not in ids_in(after, "suggestions")


def test_gaps_follow_a_new_touchpoint(loaded, client, auth):
    auth.as_user("max")
    gaps = page(client, "/gaps")
    unseen = re.findall(r'<tr data-hcp-id="([^"]+)" data-reason="(?:never engaged|stale)"', gaps)
    assert unseen == ["H04"]  # last seen in 2024, by M2
    assert page(client, "/gaps") == gaps  # nothing changed, nor does the page
    load(
        loaded,
        write_bundle(
            loaded / "visit",
            {
                "touchpoints": (
                    ("touchpoint_id", "msl_id", "hcp_id", "date"),
                    [("TPNEW", "M2", "H04", date.today().isoformat())],
                ),
            },
        ),
    )
    assert 'data-hcp-id="H04"' not in client.get("/gaps").get_data(as_text=True)


def test_recent_insights_on_the_dashboard_are_scoped(loaded, client, auth):
    auth.as_user("max")
    everyone = re.findall(r'data-touchpoint-id="([^"]+)"', client.get("/").get_data(as_text=True))
    assert "TP3" in everyone and "TP1" in everyone  # South and North
    client.post("/logout")
    auth.as_user("mia")  # msl, North
    north = re.findall(r'data-touchpoint-id="([^"]+)"', client.get("/").get_data(as_text=True))
    assert "TP1" in north and "TP3" not in north


def test_profile_record_follows_a_new_publication(loaded, client, auth):
    """The rendered publications of a profile are cached, and replaced after a load."""
    auth.as_user("ada")
    before = client.get("/hcp/H01").get_data(as_text=True)
    assert 'data-pmid="1001"' in before and 'data-pmid="99999902"' not in before
    load(
        loaded,
        write_bundle(
            loaded / "paper",
            {
                "publications": (
                    ("pmid", "title", "year"),
                    [("99999902", "A <b>new</b> paper", 2025)],
                ),
                "authorships": (("pmid", "hcp_id", "position"), [("99999902", "H01", 1)]),
            },
        ),
    )
    after = client.get("/hcp/H01").get_data(as_text=True)
    assert 'data-pmid="99999902"' in after and "A &lt;b&gt;new&lt;/b&gt; paper" in after


def test_cached_parts_of_pages_are_never_shared_across_scopes(loaded, client, auth):
    """An admin's visit fills the caches first; an msl of North then sees only North."""
    auth.as_user("ada")
    assert "H04" in ids_in(client.get("/hcp/H01").get_data(as_text=True), "coauthors")
    assert 'data-hcp-id="H04"' in client.get("/gaps?include_engaged=1").get_data(as_text=True)
    client.post("/logout")
    auth.as_user("mia")
    profile = client.get("/hcp/H01").get_data(as_text=True)
    assert set(ids_in(profile, "coauthors")) == {"H02", "H03"}
    gaps = client.get("/gaps?include_engaged=1").get_data(as_text=True)
    shown = set(re.findall(r'<tr data-hcp-id="([^"]+)"', gaps))
    assert shown and shown <= {"H01", "H02", "H03", "H07"}


def test_gaps_tables_the_dashboard_and_networks_one_worker_made_serve_the_others(
    loaded, tmp_path, monkeypatch, password
):
    """Two workers sharing the cache file: the second renders the same gaps pages,
    dashboard and network view without asking the store for gaps, coverage, counts or the
    network (at 500,000 HCPs a worker keeps only a few gap lists, counting the graph takes
    0.6 s, and a network's first view most of a page's time)."""
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False}
    config["KOLGRAPH_SHARED_CACHE"] = str(tmp_path / "answers.sqlite3")
    first, second = (
        create_app(dict(config), settings=Settings(backend="embedded", home=loaded))
        for _ in range(2)
    )
    urls = ["/gaps?include_engaged=1", "/gaps?include_engaged=1&sort=name&order=asc"]
    clients = [app.test_client() for app in (first, second)]
    for client in clients:
        login = {"username": "ada", "password": password}
        assert client.post("/login", data=login).status_code == 302
    made = [ids_in(page(clients[0], url), "gaps-table") for url in urls]
    assert all(made) and made[0] != made[1]
    dashboard = clients[0].get("/").get_data(as_text=True)
    sections = dashboard.split("<h1>", 1)[1].split("</main>", 1)[0]
    assert 'id="coverage-table"' in sections and 'data-label="HCP"' in sections
    network = clients[0].get("/network/hcp/H01?hops=2").get_data(as_text=True)
    drawing = network.split('id="network-title"', 1)[1].split("</main>", 1)[0]
    assert "Network of" in drawing and '"H04"' in drawing

    def computed_again(*_args, **_kwargs):
        raise AssertionError("computed again")

    for name in ("coverage_gaps", "coverage", "stats", "network"):
        monkeypatch.setattr(EmbeddedStore, name, computed_again)
    assert [ids_in(page(clients[1], url), "gaps-table") for url in urls] == made
    again = clients[1].get("/").get_data(as_text=True)
    assert again.split("<h1>", 1)[1].split("</main>", 1)[0] == sections
    network = clients[1].get("/network/hcp/H01?hops=2").get_data(as_text=True)
    assert network.split('id="network-title"', 1)[1].split("</main>", 1)[0] == drawing
