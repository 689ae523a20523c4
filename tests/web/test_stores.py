"""The embedded store behind requests: one connection per thread, kept between requests,
opened afresh for another file, another home, or after a failed request."""

from __future__ import annotations

import os
import shutil

from kolgraph.config import Settings
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore
from kolgraph.web import create_app
from kolgraph.web.stores import discard_request_store, get_store


def store_of_a_request(app):
    """The store a request in this thread gets (the request then ends normally)."""
    with app.test_request_context("/"):
        return get_store()


def test_a_thread_keeps_its_store_between_requests(app):
    first = store_of_a_request(app)
    assert store_of_a_request(app) is first
    assert first.data_version() is not None  # still open after its request ended


def test_a_replaced_database_file_is_opened_anew(app, home):
    first = store_of_a_request(app)
    copy = home / "copy.sqlite3"
    shutil.copy(home / DB_FILENAME, copy)
    os.replace(copy, home / DB_FILENAME)  # a restored backup: same path, another file
    second = store_of_a_request(app)
    assert second is not first
    assert second.data_version().split(":")[0] == str((home / DB_FILENAME).stat().st_ino)


def test_a_failed_request_does_not_pass_its_store_on(app):
    with app.test_request_context("/"):
        failed = get_store()
        discard_request_store()
    assert store_of_a_request(app) is not failed


def test_another_home_gets_its_own_store(app, tmp_path):
    first = store_of_a_request(app)
    other_home = tmp_path / "other"
    EmbeddedStore(other_home).close()  # the app opens stores, it never creates one
    other = create_app({"TESTING": True}, settings=Settings(backend="embedded", home=other_home))
    assert store_of_a_request(other).path.parent == other_home
    assert store_of_a_request(app) is not first  # one held per thread: reopened for this home
