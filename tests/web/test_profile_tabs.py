"""A profile opens on what matters: score, coverage gap, the latest touchpoints and papers;
the rest is one tab away.  Data: ``tests/data/web_bundle`` (see ``web_data.py``)."""

from __future__ import annotations

import re

import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.web import hcps

PMIDS = re.compile(r'<tr data-pmid="([^"]+)"')
TOUCHES = re.compile(r'<li data-touchpoint-id="([^"]+)"')


@pytest.fixture
def manager(auth, loaded):
    return auth.as_user("max")


def test_the_overview_lists_the_latest_only_and_links_to_all(manager, monkeypatch):
    monkeypatch.setattr(hcps, "LATEST_SHOWN", 1)
    html = manager.get("/hcp/H01").get_data(as_text=True)
    assert len(PMIDS.findall(html)) == 1
    assert TOUCHES.findall(html) == ["TP1"]  # the newest
    assert 'id="all-publications"' in html and 'id="all-touchpoints"' in html
    assert 'href="/hcp/H01?tab=publications"' in html


def test_the_tabs_list_everything(manager, monkeypatch):
    monkeypatch.setattr(hcps, "LATEST_SHOWN", 1)
    papers = manager.get("/hcp/H01?tab=publications").get_data(as_text=True)
    assert len(PMIDS.findall(papers)) > 1 and 'data-tab="publications" ' not in papers
    assert 'aria-current="page" data-tab="publications"' in papers
    touches = manager.get("/hcp/H01?tab=touchpoints").get_data(as_text=True)
    assert TOUCHES.findall(touches) == ["TP1", "TP2"]
    assert manager.get("/hcp/H01?tab=everything").status_code == 400


def test_the_overview_says_whether_the_hcp_is_a_gap(manager):
    never = manager.get("/hcp/H04").get_data(as_text=True)  # tier 1-2, last touch 2024
    assert 'data-gap="yes"' in never
    engaged = manager.get("/hcp/H01").get_data(as_text=True)
    assert 'data-gap="no"' in engaged


def test_a_tab_of_another_territory_is_404_for_an_msl(auth, loaded):
    assert auth.as_user("mia").get("/hcp/H04?tab=publications").status_code == 404
