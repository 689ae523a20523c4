"""Fixtures for the loader tests: the small bundle, and a store (of each backend) holding it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore

SMALL_BUNDLE = Path(__file__).parent.parent / "data" / "bundle_small"


@pytest.fixture
def small_bundle() -> Path:
    """``tests/data/bundle_small``: all nine files, 6 HCPs, every date in the past."""
    return SMALL_BUNDLE


@pytest.fixture
def loaded(store, small_bundle):
    """A store holding the small bundle, so "nothing was written" means something."""
    load_path(small_bundle, store)
    return store


@pytest.fixture
def embedded(tmp_path):
    """An empty embedded store (source-format tests that need only one backend)."""
    store = EmbeddedStore(tmp_path / "home")
    yield store
    store.close()
