"""The web tests' graph: ``tests/data/web_bundle`` (territories North and South, an HCP named
``<img src=x onerror=alert(1)>``, markup in titles and insights), loaded and scored."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore

BUNDLE = Path(__file__).resolve().parents[1] / "data" / "web_bundle"
EVIL = "<img src=x onerror=alert(1)>"
EVIL_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
NORTH = {"H01", "H02", "H03", "H07"}
SOUTH = {"H04", "H05", "H06"}


@pytest.fixture
def loaded(home):
    """The home folder with the web bundle loaded and scored (embedded store)."""
    with EmbeddedStore(home) as store:
        load_path(BUNDLE, store)
        rescore(store, home)
    return home
