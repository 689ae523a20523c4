"""The graph store behind each request.

A store that serves many threads at once (``GraphStore.thread_safe``: a Neo4j driver is
expensive and thread-safe) is opened once per process and closed when it exits.  Any other
(the embedded store's SQLite connection) is opened per thread and kept between its requests,
since opening one costs a connect, pragmas and an empty page cache on every page; it is
opened afresh when it no longer reads the database its settings name
(``GraphStore.is_current``: a restored backup), when the app's settings change, or after a
request that failed (:func:`discard_request_store`: whatever state a failure left behind is
not carried into the next request).
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
from kolgraph.web import cache

_SHARED = "kolgraph_store"
_lock = threading.Lock()
_local = threading.local()


#: Seconds a shared store (Neo4j) reuses a data version read before asking again
#: (``KOLGRAPH_VERSION_POLL_SECONDS``): a write by another process (a CLI load) shows on the
#: pages within this time; the server's own writes at once.
VERSION_POLL_SECONDS = 1.0


def init_app(app: Flask) -> None:
    """Release the request's store when the request ends; say when scores are out of date
    (a banner on pages, a ``Warning`` header on API answers)."""
    app.config.setdefault(
        "KOLGRAPH_VERSION_POLL_SECONDS",
        float(os.environ.get("KOLGRAPH_VERSION_POLL_SECONDS", VERSION_POLL_SECONDS)),
    )
    app.teardown_appcontext(_release_request_store)
    app.context_processor(lambda: {"stale_scores": stale_scores_message()})
    app.after_request(_stale_scores_header)


def stale_scores_message() -> str | None:
    """:data:`STALE_SCORES_MESSAGE` when a logged-in user's store has out-of-date scores."""
    if "stale_scores" not in g:
        g.stale_scores = None
        if current_user.is_authenticated and not g.get("kolgraph_discard_store"):
            try:
                store = get_store()
                stale = cache.cached(store, "scores_stale", None, store.scores_stale)
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
    shared = current_app.extensions.get(_SHARED)
    if shared is not None:
        return shared
    if "store" not in g:
        store = _thread_store(current_app.config["KOLGRAPH_SETTINGS"])
        if store.thread_safe:
            return _share(current_app, store)
        g.store = store
    return g.store


def _share(app: Flask, store: GraphStore) -> GraphStore:
    """Keep ``store`` for every thread of ``app`` (or the one another thread kept first),
    reusing a data version read for ``KOLGRAPH_VERSION_POLL_SECONDS``."""
    if hasattr(store, "version_poll_seconds"):
        store.version_poll_seconds = float(app.config["KOLGRAPH_VERSION_POLL_SECONDS"])
    with _lock:
        kept = app.extensions.setdefault(_SHARED, store)
    if kept is store:
        atexit.register(store.close)
    else:
        store.close()
    return kept


def _thread_store(settings: Settings) -> GraphStore:
    """This thread's open store for ``settings``, (re)opened when needed."""
    held = getattr(_local, "held", None)
    if held is not None:
        store, held_settings = held
        if held_settings == settings and store.is_current():
            return store
        _forget_thread_store()
    store = open_store(settings)
    if not store.thread_safe:
        _local.held = (store, settings)
    return store


def _forget_thread_store() -> None:
    held = getattr(_local, "held", None)
    _local.held = None
    if held is not None:
        held[0].close()


def discard_request_store() -> None:
    """Close this request's store when the request ends instead of keeping it for the next
    one (error handlers call it: a failed request's connection is not reused)."""
    g.kolgraph_discard_store = True


def _release_request_store(exc: BaseException | None) -> None:
    store = g.pop("store", None)
    discard = g.pop("kolgraph_discard_store", False) or exc is not None
    if store is not None and discard:
        _forget_thread_store()
