"""Pages and API answers say when scores are out of date, until they are recomputed."""

from __future__ import annotations

from web_data import BUNDLE, loaded  # noqa: F401  (fixture)

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore

MESSAGE = "scores are out of date, run `kolgraph score`"


def test_pages_and_api_say_scores_are_stale(loaded, auth, home):
    client = auth.as_user("ada")
    assert MESSAGE not in client.get("/").get_data(as_text=True)
    assert "Warning" not in client.get("/api/v1/top").headers
    with EmbeddedStore(home) as store:  # a load killed before its scoring
        load_path(BUNDLE / "hcps.csv", store)
    for page in ("/", "/gaps", "/hcps"):
        assert MESSAGE in client.get(page).get_data(as_text=True), page
    assert MESSAGE in client.get("/api/v1/top").headers["Warning"]
    with EmbeddedStore(home) as store:
        rescore(store, home)
    assert MESSAGE not in client.get("/").get_data(as_text=True)
    assert "Warning" not in client.get("/api/v1/top").headers


def test_the_login_page_does_not_read_the_store(client, home):
    (home / "kolgraph.sqlite3").unlink()
    assert client.get("/login").status_code == 200
