"""The graph store behind each request.

The embedded store is a file: each request opens its own (cheap) connection.  A Neo4j
driver is expensive and thread-safe: one per process, closed when the process exits.
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app, g

from kolgraph.store import GraphStore, open_store

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Close the request's store when the request ends."""
    app.teardown_appcontext(_close_request_store)


def get_store() -> GraphStore:
    """The store for this request."""
    settings = current_app.config["KOLGRAPH_SETTINGS"]
    if settings.backend == "neo4j":
        return _shared_store(current_app)
    if "store" not in g:
        g.store = open_store(settings)
    return g.store


def _shared_store(app: Flask) -> GraphStore:
    with _lock:
        store = app.extensions.get("kolgraph_store")
        if store is None:
            store = open_store(app.config["KOLGRAPH_SETTINGS"])
            app.extensions["kolgraph_store"] = store
            atexit.register(store.close)
        return store


def _close_request_store(_exc) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()
