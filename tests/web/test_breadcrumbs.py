"""The breadcrumb shows how the user got to a page.  Data: ``tests/data/web_bundle``."""

from __future__ import annotations

import re

import pytest
from web_data import EVIL, EVIL_ESCAPED, loaded  # noqa: F401 (fixture)

CRUMB = re.compile(r'<li>(?:<a href="([^"]*)">|<span aria-current="page">)(.*?)<')


@pytest.fixture
def manager(auth, loaded):
    return auth.as_user("max")


def crumbs(client, url: str) -> list[tuple[str, str]]:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S)
    return CRUMB.findall(found.group(0)) if found else []


def test_the_trail_from_gaps_to_a_profile_to_its_network(manager):
    assert crumbs(manager, "/gaps") == []  # a main page starts a trail of its own
    assert [t for _, t in crumbs(manager, "/hcp/H04")] == ["Coverage gaps", "Sofia Southey"]
    trail = crumbs(manager, "/network/hcp/H04")
    assert trail == [
        ("/gaps", "Coverage gaps"),
        ("/hcp/H04", "Sofia Southey"),
        ("", "Network of Sofia Southey"),
    ]


def test_going_back_cuts_the_trail(manager):
    for url in ("/hcps?q=so", "/hcp/H04", "/network/hcp/H04"):
        manager.get(url)
    assert [t for _, t in crumbs(manager, "/hcp/H04")] == ["HCP search", "Sofia Southey"]


def test_titles_are_escaped_once(manager):
    manager.get("/gaps")
    manager.get("/hcp/H02")
    html = manager.get("/network/hcp/H02").get_data(as_text=True)
    nav = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert EVIL not in nav and EVIL_ESCAPED in nav and "&amp;lt;" not in nav


def test_error_pages_are_not_on_the_trail(manager):
    manager.get("/gaps")
    manager.get("/hcp/NOPE")
    assert [t for _, t in crumbs(manager, "/hcp/H01")] == ["Coverage gaps", "Nora Northcott"]
