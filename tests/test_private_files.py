"""Every data file in the home folder is readable by its owner only, whatever the umask:
the graph, the audit log and the identity evidence hold names and field insights."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from kolgraph import audit
from kolgraph.identities import COLUMNS, record_identities
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)  # the usual default: files readable by everyone
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_audit_and_identity_files_are_created_0600(tmp_path, open_umask):
    home = tmp_path / "home"
    with EmbeddedStore(home, create=True):
        pass
    audit.record_cli("load", "bundle/", 3, home)
    evidence = pd.DataFrame([dict.fromkeys(COLUMNS, "x") | {"confidence": 1.0}])
    record_identities(home, evidence)
    for name in (DB_FILENAME, audit.AUDIT_FILE, "identities.sqlite3"):
        assert mode(home / name) == 0o600, name
    # SQLite's side files take the database file's mode.
    assert all(mode(p) == 0o600 for p in home.glob("*-wal")), list(home.iterdir())


def test_an_existing_file_keeps_its_mode(tmp_path, open_umask):
    home = tmp_path / "home"
    home.mkdir()
    (home / audit.AUDIT_FILE).touch(mode=0o640)
    audit.record_cli("load", "bundle/", 3, home)
    assert mode(home / audit.AUDIT_FILE) == 0o640
