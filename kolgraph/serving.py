"""``kolgraph serve``: the web app behind a production WSGI server, warmed up before it answers.

* **Several worker processes** (gunicorn, POSIX only): one Python process runs one request's
  Python at a time (the GIL), so pages under load need a process per core.  The app is built
  and warmed up once in the gunicorn master (``preload_app``), then forked: every worker
  starts with the store's in-memory caches (gaps snapshot, search index) already built, so
  no worker builds them on its first request; the path graph is memory-mapped from files
  (:mod:`kolgraph.store.sqlite.network_file`), one copy in the page cache for all.  Workers
  are synchronous: the kernel hands each new connection to an idle worker, so a slow page
  never queues others behind it in a busy process.  Workers share one answer cache
  (:mod:`kolgraph.web.cache`, a SQLite file in a private temporary folder removed when the
  server stops), so a suggestion computed by one worker serves the others.
* **One process** (``--workers 1``, and always on Windows, which gunicorn does not support):
  waitress with a thread pool, as before.

Every worker opens its own store connections after the fork (a SQLite connection or a Neo4j
driver must not cross a fork; the master's Neo4j store hands its caches down before it
closes, so no worker pulls the co-authorships again); the users and audit databases are
SQLite files every process opens per use; the secret key file is created once, race-free
(:func:`kolgraph.web.security.load_secret_key`), so a session cookie is valid in every worker.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn

from flask import Flask

from kolgraph.collector import cyclic_gc_paused
from kolgraph.config import Settings
from kolgraph.errors import KolgraphError
from kolgraph.store.base import GraphStore

#: Threads of the single waitress process (``--workers 1``).
WAITRESS_THREADS = 8
#: A worker busy longer than this is restarted (gunicorn ``timeout``); big exports take a while.
WORKER_TIMEOUT = 300
#: Seconds a stopping server gives requests in flight (then ends them): stopped within 10 s.
GRACEFUL_TIMEOUT = 5
#: Connections the listening socket queues (gunicorn's own default).
LISTEN_BACKLOG = 2048
#: How often each server process looks for new data to build its caches for.
FOLLOW_SECONDS = 10.0


def default_workers() -> int:
    """One worker per core plus one, at most 8.

    The extra worker keeps both cores busy while another waits on its socket or computes a
    slow answer (on 2 cores under 20 clients: 158 pages/s with 3 workers, 134 with 2, 164
    with 5); each worker holds its own copy of the store caches once the data changes, so
    not more.
    """
    return min((os.cpu_count() or 1) + 1, 8)


def multiprocess_supported() -> bool:
    """Whether several worker processes can serve (gunicorn needs ``fork``: not on Windows)."""
    return sys.platform != "win32"


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, taken before the data is loaded or the caches
    warmed (minutes at 500,000 HCPs), so a port in use is said at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=LISTEN_BACKLOG)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            reason = "the port is in use (another server? choose another with --port)"
        elif error.errno and error.errno > 0:
            reason = os.strerror(error.errno)
        else:  # the resolver's codes are negative
            reason = "no such host (check --host)"
    raise KolgraphError(f"cannot serve on {host}:{port}: {reason}")


def serve(
    settings: Settings,
    listening: socket.socket,
    workers: int | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the app on the ``listening`` socket (:func:`listen`) until interrupted, with
    ``workers`` processes (default :func:`default_workers`; one process where several are
    not supported)."""
    # Service managers and containers stop a server with SIGTERM: leave as on Ctrl+C
    # (waitress closes its connections; gunicorn, once running, handles it itself).
    signal.signal(signal.SIGTERM, _exit_quietly)
    workers = default_workers() if workers is None else workers
    if workers > 1 and not multiprocess_supported():
        echo("several worker processes need a POSIX system: serving with one process")
        workers = 1
    if workers == 1:
        _serve_waitress(settings, listening, echo)
    else:
        _serve_gunicorn(settings, listening, workers, echo)


def _url(listening: socket.socket) -> str:
    host, port = listening.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _exit_quietly(_signum: int, _frame: object) -> NoReturn:
    raise SystemExit(0)


def _serve_waitress(
    settings: Settings, listening: socket.socket, echo: Callable[[str], None]
) -> None:
    import waitress

    from kolgraph.web import create_app

    app = create_app(settings=settings)
    warm_up(app, echo)
    follow_data(app, settings)
    echo(f"kolgraph is serving at {_url(listening)}  (1 process, Ctrl+C to stop)")
    waitress.serve(app, sockets=[listening], threads=WAITRESS_THREADS)


def _serve_gunicorn(
    settings: Settings, listening: socket.socket, workers: int, echo: Callable[[str], None]
) -> None:
    from kolgraph.web import create_app

    cache_dir = Path(tempfile.mkdtemp(prefix="kolgraph-web-cache-"))  # mode 0700
    master = os.getpid()
    try:
        app = create_app(
            {"KOLGRAPH_SHARED_CACHE": cache_dir / "answers.sqlite3"}, settings=settings
        )
        warm_up(app, echo)
        echo(
            f"kolgraph is serving at {_url(listening)}  ({workers} worker processes, "
            "Ctrl+C to stop)"
        )
        _gunicorn_app(
            app,
            {
                "bind": f"fd://{listening.fileno()}",
                "workers": workers,
                "worker_class": "sync",
                "preload_app": True,
                "timeout": WORKER_TIMEOUT,
                "graceful_timeout": GRACEFUL_TIMEOUT,
                "accesslog": None,
                "loglevel": "warning",
                "post_worker_init": lambda _worker: follow_data(app, settings),
            },
        ).run()
    finally:
        # A worker leaves through here too (gunicorn ends it with sys.exit): only the
        # master, when the whole server stops, removes the folder the workers share.
        if os.getpid() == master:
            shutil.rmtree(cache_dir, ignore_errors=True)


def _gunicorn_app(app: Flask, options: dict):
    """A gunicorn application serving ``app``, already built (gunicorn's custom-application way)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    return Application()


def warm_up(app: Flask, echo: Callable[[str], None] = print) -> None:
    """Compile every template and build the store's in-memory caches, so the first requests
    are as fast as the rest.  A store that cannot be read now (empty, or a database not up
    yet) is not an error: pages then build what they need when asked."""
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        app.jinja_env.get_template(name)
    settings: Settings = app.config["KOLGRAPH_SETTINGS"]
    echo(
        "warming up (reading gaps, the search index, the identity index and the identity "
        "review into memory) ..."
    )
    try:
        with cyclic_gc_paused():  # millions of objects made to stay: nothing to collect
            _warm_store(app, settings)
    except KolgraphError as error:
        echo(f"warm-up skipped: {error}")
    # The caches just built live as long as the data: keep the garbage collector from walking
    # their millions of objects at every full collection (time every request would pay),
    # and, with gunicorn, from writing to the memory pages workers share.
    gc.freeze()


def _warm_store(app: Flask, settings: Settings) -> None:
    from kolgraph.store import open_store

    with open_store(settings) as store:
        _warm_caches(app, store)
        # Closed before the workers fork (a Neo4j driver must not cross a fork): each opens
        # its own store, which takes these caches over.
        store.hand_down_caches()


def _warm_caches(app: Flask, store: GraphStore) -> None:
    """Ask what makes the store build its in-memory caches for the current data."""
    from kolgraph.answers.gaps import DEFAULT_STALE_DAYS, GapQuery
    from kolgraph.web.identity import identity_index, whole_review

    with app.app_context():
        identity_index(store)  # into the app's answer cache, which the workers inherit
        store.keep_snapshots()
        store.coverage_gaps(GapQuery())
        store.coverage(date.today(), DEFAULT_STALE_DAYS)
        store.search_hcps("", limit=1)
        top = store.top_hcps(1)
        if top:
            store.suggest_collaborators(top[0]["hcp_id"], 1)
            store.warm_intro(top[0]["hcp_id"], date.today(), DEFAULT_STALE_DAYS)
        # every worker then mends its own after a correction, whichever shows the page
        whole_review(store)


def follow_data(
    app: Flask,
    settings: Settings,
    every: float = FOLLOW_SECONDS,
    stop: threading.Event | None = None,
) -> threading.Thread | None:
    """Embedded store: a daemon thread of this server process that builds its caches again
    soon after the data changes (a load, a rescore), so the first page to need them does not
    wait for them (at 500,000 HCPs: 7-10 s for the search index, 5-7 s for gaps).  After a
    logged touchpoint the snapshots are followed, not read again; the warm-up then costs
    about the gaps answer with reach (1.2-1.3 s at L), at most once per ``every`` seconds.
    A Neo4j store is left to its pages: its co-authorships would be pulled again after
    every touchpoint (a minute at L).  It ends when ``stop`` is set (a server's lasts as long
    as its process)."""
    if settings.backend != "embedded":
        return None
    thread = threading.Thread(
        target=_follow,
        args=(app, settings, every, stop or threading.Event()),
        name="kolgraph-follow-data",
        daemon=True,
    )
    thread.start()
    return thread


def _follow(app: Flask, settings: Settings, every: float, stop: threading.Event) -> None:
    store = _opened(settings)
    seen = _version(store) if store else None  # what the warm-up before the fork built for
    try:
        while not stop.wait(every):
            if store is None or not store.is_current():  # not openable yet, or replaced
                if store is not None:
                    store.close()
                store = _opened(settings)
                if store is None:
                    continue
            seen = warm_if_changed(app, store, seen)
    finally:
        if store is not None:
            store.close()


def _opened(settings: Settings) -> GraphStore | None:
    """The store, or None when it cannot be opened now (a first load holding it, no store
    yet): the follower tries again at its next look."""
    from kolgraph.store import open_store

    try:
        return open_store(settings)
    except KolgraphError:
        return None


def _version(store: GraphStore) -> str | None:
    try:
        return store.data_version()
    except KolgraphError:
        return None


def warm_if_changed(app: Flask, store: GraphStore, seen: str | None) -> str | None:
    """Build ``store``'s caches when its data version is no longer ``seen``; the version
    they were built for (``seen`` when the store cannot be read now: tried again later)."""
    try:
        version = store.data_version()
        if version != seen:
            with cyclic_gc_paused():
                _warm_caches(app, store)
            gc.freeze()  # as after the first warm-up: no collection walks the new caches
        return version
    except KolgraphError:
        return seen
