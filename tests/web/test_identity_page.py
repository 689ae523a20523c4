"""Steward corrections on a profile: an admin sees the likely duplicates and merges or
splits there (POST forms with CSRF, audited); managers and msls see no such section and get
403 when they post; bad input is a clear error page and changes nothing.

World: Deborah Smith (D1) and D L Smith (D2) of Mercy Hospital, North, each wrote a paper
with Carl Jones (C1): 101 (D1, C1) and 102 (D2, C1); D1 also wrote 103 alone.
"""

from __future__ import annotations

import fcntl
import gc
import os
import re
import time

import pandas as pd
import pytest

from kolgraph import score_runs
from kolgraph.audit import recent
from kolgraph.identities import COLUMNS as IDENTITY_COLUMNS
from kolgraph.identities import all_evidence, record_identities
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore


def frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    columns = TABLES_BY_NAME[table].column_names
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=list(columns), dtype=object)


def hcp(hcp_id: str, first: str, last: str) -> tuple:
    return (hcp_id, first, last, "MD", None, "Boston", "MA", None, "US", "North", None, None, None)


@pytest.fixture
def world(home):
    batch = {
        "hcps": frame(
            "hcps",
            [hcp("D1", "Deborah", "Smith"), hcp("D2", "D L", "Smith"), hcp("C1", "Carl", "Jones")],
        ),
        "institutions": frame(
            "institutions", [("I1", "Mercy Hospital", None, "Boston", "MA", "US")]
        ),
        "affiliations": frame(
            "affiliations", [("D1", "I1", None, None, None), ("D2", "I1", None, None, None)]
        ),
        "publications": frame(
            "publications",
            [
                (p, f"Paper {p}", "J Test", y, [], None)
                for p, y in (("101", 2019), ("102", 2020), ("103", 2021))
            ],
        ),
        "authorships": frame(
            "authorships",
            [
                ("101", "D1", 1),
                ("101", "C1", 2),
                ("102", "D2", 1),
                ("102", "C1", 2),
                ("103", "D1", 1),
            ],
        ),
    }
    with EmbeddedStore(home) as store:
        store.load(batch)
    return home


def authorships(home) -> set[tuple]:
    with EmbeddedStore(home) as store:
        table = store.table("authorships")
    return set(zip(table["pmid"], table["hcp_id"]))


def test_an_admin_sees_the_likely_duplicate_with_its_evidence_and_forms(world, auth):
    page = auth.as_user("ada").get("/hcp/D1").get_data(as_text=True)
    assert 'id="possible-duplicates"' in page
    row = re.search(r'<tr data-kind="likely duplicate" data-other-id="D2">.*?</tr>', page, re.S)
    assert row and "1 co-author(s) in common: Carl Jones (C1)" in row.group(0)
    assert "same institution: Mercy Hospital" in row.group(0)
    assert 'name="other_id" value="D2"' in row.group(0)
    assert 'id="split-form"' in page


@pytest.mark.parametrize("user", ["max", "mia"])
def test_others_see_no_section_and_get_403_when_they_post(world, auth, user):
    client = auth.as_user(user)
    assert 'id="possible-duplicates"' not in client.get("/hcp/D1").get_data(as_text=True)
    before = authorships(world)
    assert client.post("/hcp/D1/merge", data={"other_id": "D2"}).status_code == 403
    assert client.post("/hcp/D1/split", data={"pmids": "103"}).status_code == 403
    assert authorships(world) == before


def test_an_admin_finds_what_to_review_on_one_page_and_fixes_it_there(world, auth):
    """``/admin/identity-review``: the whole review, most influential first, with the
    evidence one fact a line, links to both profiles and the correction as a form."""
    shaky = (
        "2 paper(s) 2019-2021. weakest merge: PMID 101 ~ PMID 103: same city (mean log-odds 0.2)"
    )
    row = ("D1", "pubmed", "101;103", "Smith, Deborah", "name+evidence", 0.55, shaky, "103")
    record_identities(world, pd.DataFrame([row], columns=list(IDENTITY_COLUMNS)))
    client = auth.as_user("ada")
    page = client.get("/admin/identity-review").get_data(as_text=True)
    assert re.search(r'<a href="[^"]*/admin/identity-review"[^>]*>Who is who</a>', page)
    duplicate = re.search(r'<tr data-kind="likely duplicate".*?</tr>', page, re.S).group(0)
    assert 'href="/hcp/D1"' in duplicate and 'href="/hcp/D2"' in duplicate
    assert "<li>1 co-author(s) in common: Carl Jones (C1)</li>" in duplicate
    assert 'action="/hcp/D1/merge"' in duplicate and 'name="other_id" value="D2"' in duplicate
    split = re.search(r'<tr data-kind="shaky merge".*?</tr>', page, re.S).group(0)
    assert "<li>weakest merge: PMID 101 ~ PMID 103: same city (mean log-odds 0.2)</li>" in split
    assert 'action="/hcp/D1/split"' in split and 'name="pmids" value="103"' in split
    assert client.post("/hcp/D1/merge", data={"other_id": "D2"}).status_code == 302
    after = client.get("/admin/identity-review").get_data(as_text=True)
    assert 'data-kind="likely duplicate"' not in after  # the data changed: the review too


def test_a_correction_made_on_the_review_page_comes_back_to_it(world, auth):
    """A steward works down the list: the page's buttons come back to the page, which says
    what was done; any other value of ``back`` goes to the profile, never elsewhere."""
    shaky = "2 paper(s) 2019-2021. weakest merge: PMID 101 ~ PMID 103: same city"
    row = ("D1", "pubmed", "101;103", "Smith, Deborah", "name+evidence", 0.55, shaky, "103")
    record_identities(world, pd.DataFrame([row], columns=list(IDENTITY_COLUMNS)))
    client = auth.as_user("ada")
    page = client.get("/admin/identity-review").get_data(as_text=True)
    forms = re.findall(r"<form[^>]*/hcp/.*?</form>", page, re.S)
    assert len(forms) == 2 and all('name="back" value="review"' in f for f in forms)
    merged = client.post("/hcp/D1/merge", data={"other_id": "D2", "back": "review"})
    assert merged.headers["Location"].endswith("/admin/identity-review")
    after = client.get("/admin/identity-review").get_data(as_text=True)
    assert "Merged D2 into D1 (1 authorship(s) moved)." in after
    assert 'data-kind="likely duplicate"' not in after
    elsewhere = client.post("/hcp/D1/split", data={"pmids": "103", "back": "https://x.test/"})
    assert elsewhere.headers["Location"].endswith("/hcp/D1")
    assert "Split 1 paper(s) of D1 into new HCP D1-split-103." in client.get("/hcp/D1").get_data(
        as_text=True
    )


@pytest.mark.parametrize("user", ["max", "mia"])
def test_only_admins_see_the_review_page(world, auth, user):
    client = auth.as_user(user)
    assert client.get("/admin/identity-review").status_code == 403
    assert "Who is who" not in client.get("/").get_data(as_text=True)


def test_an_admin_merges_on_the_profile_audited_and_kept_as_evidence(world, auth):
    client = auth.as_user("ada")
    response = client.post("/hcp/D1/merge", data={"other_id": "D2"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/hcp/D1")
    assert "Merged D2 into D1" in client.get("/hcp/D1").get_data(as_text=True)
    assert authorships(world) == {
        ("101", "D1"),
        ("101", "C1"),
        ("102", "D1"),
        ("102", "C1"),
        ("103", "D1"),
    }
    assert client.get("/hcp/D2").status_code == 404
    entry = recent(world)[0]
    assert (entry["user"], entry["via"], entry["action"], entry["what"]) == (
        "ada",
        "web",
        "identity merge",
        "D2 into D1",
    )
    steward = [r for r in all_evidence(world) if r["source"] == "steward"]
    assert [(r["hcp_id"], r["evidence"]) for r in steward] == [("D1", "D2 merged into D1 by ada")]


def test_an_admin_splits_papers_off_into_a_new_hcp(world, auth):
    client = auth.as_user("ada")
    response = client.post("/hcp/D1/split", data={"pmids": "103"})
    assert response.status_code == 302
    assert ("103", "D1-split-103") in authorships(world)
    assert client.get("/hcp/D1-split-103").status_code == 200
    assert recent(world)[0]["action"] == "identity split"


def test_a_shaky_merge_offers_the_split_that_undoes_its_weakest_merge(world, auth):
    """A load recorded that paper 103 joined D1 by a weak merge: the admin sees the evidence
    one fact a line and a button that splits exactly that paper off."""
    evidence = (
        "2 paper(s) 2019-2021. institutions: Mercy Hospital. "
        "weakest merge: PMID 101 ~ PMID 103: compatible initials, 2 year(s) apart "
        "(mean log-odds 0.2)"
    )
    row = ("D1", "pubmed", "101;103", "Smith, Deborah", "name+evidence", 0.55, evidence, "103")
    record_identities(world, pd.DataFrame([row], columns=list(IDENTITY_COLUMNS)))
    client = auth.as_user("ada")
    page = client.get("/hcp/D1").get_data(as_text=True)
    shaky = re.search(r'<tr data-kind="shaky merge".*?</tr>', page, re.S)
    assert shaky, page
    lines = re.findall(r"<li>(.*?)</li>", shaky.group(0))
    assert lines == [
        "pubmed name+evidence confidence 0.55: 2 paper(s) 2019-2021",
        "institutions: Mercy Hospital",
        "weakest merge: PMID 101 ~ PMID 103: compatible initials, 2 year(s) apart "
        "(mean log-odds 0.2)",
    ]
    form = re.search(r'<form[^>]*class="split-suggested".*?</form>', shaky.group(0), re.S)
    assert form and 'name="pmids" value="103"' in form.group(0)
    assert "Split off PMID 103" in form.group(0)
    assert client.post("/hcp/D1/split", data={"pmids": "103"}).status_code == 302
    assert ("103", "D1-split-103") in authorships(world) and ("101", "D1") in authorships(world)
    after = client.get("/hcp/D1").get_data(as_text=True)
    assert 'data-kind="shaky merge"' not in after  # a corrected HCP is reviewed already


@pytest.mark.parametrize(
    "path, data, status, message",
    [
        ("/hcp/D1/merge", {"other_id": "D1"}, 400, "cannot merge HCP D1 into itself"),
        ("/hcp/D1/merge", {"other_id": "NOPE"}, 404, "unknown HCP NOPE"),
        ("/hcp/D1/merge", {}, 400, "the form sent no other_id"),
        ("/hcp/D1/split", {"pmids": "102"}, 400, "HCP D1 did not author PMID 102"),
        ("/hcp/NOPE/split", {"pmids": "102"}, 404, "unknown HCP NOPE"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(world, auth, path, data, status, message):
    client = auth.as_user("ada")
    before = authorships(world)
    response = client.post(path, data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert authorships(world) == before
    assert not [e for e in recent(world) if e["action"].startswith("identity")]


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_a_post_without_the_csrf_token_is_refused(world, csrf_on, auth, client):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert auth.login("ada", csrf_token=token).status_code == 302
    before = authorships(world)
    assert client.post("/hcp/D1/merge", data={"other_id": "D2"}).status_code == 400
    assert authorships(world) == before
    profile = client.get("/hcp/D1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', profile).group(1)
    merged = client.post("/hcp/D1/merge", data={"other_id": "D2", "csrf_token": token})
    assert merged.status_code == 302 and ("102", "D1") in authorships(world)


def test_the_server_warm_up_reads_the_identity_index_before_the_first_profile(
    world, app, auth, monkeypatch
):
    """``kolgraph serve`` warms up before it forks: a steward's first profile in a worker
    does not read every HCP again (4.5 s at 500,000 HCPs), nor does the first review page
    compute the review (10-15 s)."""
    from kolgraph.serving import warm_up
    from kolgraph.store.base import GraphStore

    try:
        warm_up(app, echo=lambda _text: None)
    finally:
        gc.unfreeze()  # the warm-up freezes what it built; the tests go on in this process

    def read_again(_store):
        raise AssertionError("the identity index was read again")

    one_hcp_s = GraphStore.identity_review

    def reviewed_again(store, evidence, limit=50, hcp_id=None, **kwargs):
        assert hcp_id is not None, "the whole review was computed again"
        return one_hcp_s(store, evidence, limit, hcp_id, **kwargs)

    monkeypatch.setattr(GraphStore, "identity_index", read_again)
    monkeypatch.setattr(GraphStore, "identity_review", reviewed_again)
    client = auth.as_user("ada")
    assert "1 co-author(s) in common: Carl Jones (C1)" in client.get("/hcp/D1").get_data(
        as_text=True
    )
    review = client.get("/admin/identity-review")
    assert review.status_code == 200 and 'href="/hcp/D2"' in review.get_data(as_text=True)


def test_after_a_correction_an_admin_recomputes_the_scores_from_the_banner(world, auth):
    """A web correction leaves the scores stale (the command line rescores at once): the
    banner offers admins a button that runs ``kolgraph score`` in a process of its own;
    once it has written them the banner is gone.  Others see no button and get 403."""
    auth.as_user("ada").post("/hcp/D1/merge", data={"other_id": "D2", "back": "review"})
    auth.logout()
    manager = auth.as_user("max")
    page = manager.get("/").get_data(as_text=True)
    assert "scores are out of date" in page and "/admin/rescore" not in page
    assert manager.post("/admin/rescore").status_code == 403
    auth.logout()
    client = auth.as_user("ada")
    page = client.get("/admin/identity-review?x=1").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/admin/rescore".*?</form>', page, re.S)
    assert form and 'name="next" value="/admin/identity-review?x=1"' in form.group(0)
    started = client.post("/admin/rescore", data={"next": "/admin/identity-review?x=1"})
    assert started.headers["Location"].endswith("/admin/identity-review?x=1")
    log = _wait_for_the_run(world)
    assert "scored 2 HCPs" in log, log
    assert (world / score_runs.LOG).stat().st_mode & 0o777 == 0o600
    after = client.get("/admin/identity-review").get_data(as_text=True)
    assert "Recomputing every score in the background" in after
    assert "scores are out of date" not in after
    assert recent(world)[0]["action"] == "rescore"
    for elsewhere in ("//evil.test/x", "/\\evil.test", "/\t/evil.test", "https://evil.test/"):
        away = client.post("/admin/rescore", data={"next": elsewhere})
        assert away.headers["Location"] in ("/", "http://localhost/"), elsewhere
    _wait_for_the_run(world)


@pytest.fixture
def rescore_off(monkeypatch):
    monkeypatch.setenv("KOLGRAPH_WEB_RESCORE", "0")


def test_with_web_score_runs_turned_off_the_banner_only_says_what_to_run(rescore_off, world, auth):
    """``KOLGRAPH_WEB_RESCORE=0``, for a server short of memory: no button, and a post (a
    form left open, a crafted request) is refused and starts nothing."""
    client = auth.as_user("ada")
    client.post("/hcp/D1/merge", data={"other_id": "D2"})
    page = client.get("/").get_data(as_text=True)
    assert "run `kolgraph score`" in page and "/admin/rescore" not in page
    refused = client.post("/admin/rescore", data={"next": "/"})
    assert refused.status_code == 403 and "KOLGRAPH_WEB_RESCORE=0" in refused.get_data(as_text=True)
    assert not (world / score_runs.LOG).exists() and not score_runs.running(world)


def test_a_web_score_run_setting_that_means_nothing_stops_the_app(world, monkeypatch):
    from kolgraph.config import Settings
    from kolgraph.errors import ConfigError
    from kolgraph.web import create_app

    monkeypatch.setenv("KOLGRAPH_WEB_RESCORE", "sometimes")
    with pytest.raises(ConfigError, match=r"^KOLGRAPH_WEB_RESCORE must be 1 or 0"):
        create_app({"TESTING": True}, Settings(backend="embedded", home=world))


def _wait_for_the_run(home) -> str:
    """The run's log, once it has ended (two minutes at most)."""
    deadline = time.monotonic() + 120
    while score_runs.running(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not score_runs.running(home)
    return (home / score_runs.LOG).read_text()


def test_a_second_recompute_while_one_runs_starts_nothing(world, auth):
    client = auth.as_user("ada")
    client.post("/hcp/D1/merge", data={"other_id": "D2"})
    lock = os.open(world / score_runs.LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a run in progress holds it
    try:
        assert score_runs.running(world)
        page = client.get("/").get_data(as_text=True)
        assert "recomputing them now" in page and "/admin/rescore" not in page
        client.post("/admin/rescore", data={"next": "/"})
        assert "being recomputed already" in client.get("/").get_data(as_text=True)
        assert not (world / score_runs.LOG).exists()  # no run was started
    finally:
        os.close(lock)
    assert not score_runs.running(world)


def test_after_a_correction_the_review_and_the_index_are_mended_not_computed_again(
    world, auth, monkeypatch
):
    """A worker keeps the whole review and the identity index of the data it last saw; after
    a steward's merge it mends both from the two HCPs (15 s and 5 s to compute again at
    500,000 HCPs) for the review page and the kept HCP's profile."""
    from kolgraph.store.base import GraphStore

    client = auth.as_user("ada")
    assert 'data-kind="likely duplicate"' in client.get("/admin/identity-review").get_data(
        as_text=True
    )

    def computed_again(*_args, **_kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(GraphStore, "identity_index", computed_again)
    monkeypatch.setattr(GraphStore, "identity_review", computed_again)
    merged = client.post("/hcp/D1/merge", data={"other_id": "D2", "back": "review"})
    assert merged.status_code == 302
    after = client.get("/admin/identity-review")
    assert after.status_code == 200 and "Merged D2 into D1" in after.get_data(as_text=True)
    assert 'data-kind="likely duplicate"' not in after.get_data(as_text=True)
    monkeypatch.undo()  # the profile's own review of D1: from the mended index
    monkeypatch.setattr(GraphStore, "identity_index", computed_again)
    profile = client.get("/hcp/D1")
    assert profile.status_code == 200 and "in common" not in profile.get_data(as_text=True)
