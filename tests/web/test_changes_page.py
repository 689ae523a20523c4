"""The "What changed" page: the store's answer for the user's scope, and a chart."""

from __future__ import annotations

import re
from datetime import date

import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.answers.changes import History
from kolgraph.store.sqlite import EmbeddedStore


@pytest.fixture
def with_history(loaded):
    """An earlier scoring run (the same scores) kept from 2024-01-01 with its coverage."""
    with EmbeddedStore(loaded) as store:
        store.record_history(date(2024, 1, 1), History())
    return loaded


def test_the_page_shows_the_stores_answer(client, auth, with_history):
    with EmbeddedStore(with_history) as store:
        answer = store.changes(date(2024, 6, 1), date.today())
    page = auth.as_user("max").get("/changes?since=2024-06-01").get_data(as_text=True)
    assert "What changed since 2024-06-01" in page and "scoring run of 2024-01-01" in page
    shown = re.findall(r'<tr data-change="([^"]+)" data-hcp-id="([^"]+)"', page)
    assert shown == [(r["change"], r["hcp_id"]) for r in answer["changes"]]
    assert shown  # the web bundle's touches are old: its engaged HCPs have decayed since
    quarters = re.findall(r'<tr data-territory="([^"]+)" data-quarter="([^"]+)"', page)
    assert quarters == [(q["territory"], q["quarter"]) for q in answer["coverage_by_quarter"]]
    assert '<svg id="coverage-chart"' in page and page.count('<g class="series"') == 2


def test_an_msl_sees_their_territory_only(client, auth, with_history):
    page = auth.as_user("mia").get("/changes?since=2024-06-01&territory=South")
    assert page.status_code == 404
    page = auth.as_user("mia").get("/changes?since=2024-06-01").get_data(as_text=True)
    territories = set(re.findall(r'<tr data-territory="([^"]+)" data-quarter', page))
    assert territories == {"North"}


def test_a_date_before_the_kept_history_is_a_clear_400(client, auth, with_history):
    response = auth.as_user("max").get("/changes?since=2023-01-01")
    assert response.status_code == 400
    assert "the oldest is from 2024-01-01" in response.get_data(as_text=True)


def test_without_a_date_the_page_starts_at_the_oldest_kept_run(client, auth, loaded):
    """A fresh store keeps one scoring run (today's): the page compares with it, no error."""
    response = auth.as_user("max").get("/changes")
    assert response.status_code == 200
    assert f"What changed since {date.today().isoformat()}" in response.get_data(as_text=True)
