"""The graph store behind each request.

The embedded store is a SQLite file: each thread keeps one connection open between its
requests (opening one costs a connect, six pragmas and an empty page cache on every page),
and opens a fresh one when the file at the store's path is another file than the one it has
open (a restored backup), when the app's home changes, or after a request that failed
(:func:`discard_request_store`: whatever state a failure left behind is not carried into
the next request).  A Neo4j
driver is expensive and thread-safe: one per process, closed when the process exits.
"""

from __future__ import annotations

import atexit
import os
import threading

from flask import Flask, current_app, g, request
from flask_login import current_user

from kolgraph.config import Settings
from kolgraph.errors import KolgraphError
from kolgraph.store import GraphStore, open_store
from kolgraph.store.base import STALE_SCORES_MESSAGE

_lock = threading.Lock()
_local = threading.local()


def init_app(app: Flask) -> None:
    """Release the request's store when the request ends; say when scores are out of date
    (a banner on pages, a ``Warning`` header on API answers)."""
    app.teardown_appcontext(_release_request_store)
    app.context_processor(lambda: {"stale_scores": stale_scores_message()})
    app.after_request(_stale_scores_header)


def stale_scores_message() -> str | None:
    """:data:`STALE_SCORES_MESSAGE` when a logged-in user's store has out-of-date scores."""
    if "stale_scores" not in g:
        g.stale_scores = None
        if current_user.is_authenticated and not g.get("kolgraph_discard_store"):
            try:
                stale = get_store().scores_stale()
            except KolgraphError:
                stale = False  # the page says what went wrong
            g.stale_scores = STALE_SCORES_MESSAGE if stale else None
    return g.stale_scores


def _stale_scores_header(response):
    if request.path.startswith("/api/") and response.status_code == 200:
        message = stale_scores_message()
        if message:
            response.headers["Warning"] = f'199 kolgraph "{message}"'
    return response


def get_store() -> GraphStore:
    """The store for this request."""
    settings = current_app.config["KOLGRAPH_SETTINGS"]
    if settings.backend == "neo4j":
        return _shared_store(current_app)
    if "store" not in g:
        g.store = _thread_store(settings)
    return g.store


def _shared_store(app: Flask) -> GraphStore:
    with _lock:
        store = app.extensions.get("kolgraph_store")
        if store is None:
            store = open_store(app.config["KOLGRAPH_SETTINGS"])
            app.extensions["kolgraph_store"] = store
            atexit.register(store.close)
        return store


def _thread_store(settings: Settings) -> GraphStore:
    """This thread's open embedded store for ``settings``, (re)opened when needed."""
    held = getattr(_local, "held", None)
    if held is not None:
        store, home, identity = held
        if home == settings.home and identity == _file_identity(store):
            return store
        _forget_thread_store()
    store = open_store(settings)
    _local.held = (store, settings.home, _file_identity(store))
    return store


def _file_identity(store: GraphStore) -> tuple[int, int] | None:
    """(device, inode) of the file at the store's path; None when there is none."""
    try:
        found = os.stat(store.path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _forget_thread_store() -> None:
    held = getattr(_local, "held", None)
    _local.held = None
    if held is not None:
        held[0].close()


def discard_request_store() -> None:
    """Close this request's embedded store when the request ends instead of keeping it for
    the next one (error handlers call it: a failed request's connection is not reused)."""
    g.kolgraph_discard_store = True


def _release_request_store(exc) -> None:
    store = g.pop("store", None)
    discard = g.pop("kolgraph_discard_store", False) or exc is not None
    if store is not None and discard:
        _forget_thread_store()
