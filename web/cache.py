"""Answers kept while the graph's data is unchanged, so repeated page views skip the work.

An answer is cached under the store's :meth:`~kolgraph.store.base.GraphStore.data_version`,
read every time the cache is asked: any write (a load, a new
touchpoint, new scores) changes the version, so a page never shows an answer computed from
older data.  A store that cannot tell its version (``None``) gets no caching at all.

Two levels:

* in this process: an LRU of Python objects (any answer), bounded by rows held; and,
  outside it, a few pinned answers that everything else needs (one value per kind and key,
  replaced when the data changes, or mended: brought up to date from the held one), which
  a burst of big answers must not push out;
* shared by every worker process of ``kolgraph serve`` (``KOLGRAPH_SHARED_CACHE``, a SQLite
  file in the server's private temporary folder): JSON answers, so a collaborator
  suggestion computed by one worker serves them all.

Rendered HTML fragments of an answer (a profile's publications, a page of gaps) are cached
the same way (:func:`cached_rendering`, or as strings in a shared answer): rendering hundreds
of rows costs more than reading them.

Cached answers are never scoped to a user: views apply territory scoping *after* reading
them, on every request (a fragment holds only what every user allowed to see the page
sees, or carries the scope in its key).  Callers must not mutate what they get.  A failing shared cache is
logged and bypassed, never an error page.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request

from kolgraph.store import GraphStore

log = logging.getLogger(__name__)

#: Brings a pinned answer of an older data version (given) up to date, or says None.
Mend = Callable[[Any, str], Any]
#: Rows kept in each process (an answer of n rows counts n, any other answer 1): about
#: 100 MB at most, however many filter combinations the gaps page is asked for.
MEMORY_ROWS = 100_000
_SCHEMA = """CREATE TABLE IF NOT EXISTS answers (
    kind TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (kind, key))"""


class AnswerCache:
    """An LRU in this process in front of an optional SQLite file shared between processes."""

    def __init__(self, shared_path: Path | None = None, rows: int = MEMORY_ROWS):
        self.shared_path = Path(shared_path) if shared_path else None
        self.rows = rows
        self._memory: OrderedDict[tuple, Any] = OrderedDict()
        self._pinned: dict[tuple[str, Hashable], tuple[str, Any]] = {}
        self._shared_version: str | None = None  # the version the file was last pruned for
        self._held = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def get_or_compute(
        self,
        kind: str,
        version: str | None,
        key: Hashable,
        compute: Callable[[], Any],
        *,
        shared: bool = False,
        remember: bool = True,
        pinned: bool = False,
        mend: Mend | None = None,
    ) -> Any:
        """The answer for ``(kind, key)`` at data ``version``; ``compute()`` when there is none
        (and always when ``version`` is None).  ``shared`` answers must be JSON values.
        ``remember=False`` keeps the answer out of this process's memory (a big answer that
        only feeds a smaller cached one: it would push the useful answers out).  ``pinned``
        keeps it outside the LRU, until the data changes; then ``mend(held answer, its
        version)``, when given, may bring the held answer up to date (None: compute)."""
        if version is None:
            return compute()
        if pinned:
            return self._pinned_answer(kind, version, key, compute, mend)
        memory_key = (kind, version, key)
        with self._lock:
            if memory_key in self._memory:
                self._memory.move_to_end(memory_key)
                return self._memory[memory_key]
        value = self._shared_get(kind, version, key) if shared else _MISSING
        if value is _MISSING:
            value = compute()
            if shared:
                self._shared_put(kind, version, key, value)
        if remember:
            self._remember(memory_key, value)
        return value

    def _pinned_answer(
        self,
        kind: str,
        version: str,
        key: Hashable,
        compute: Callable[[], Any],
        mend: Mend | None,
    ) -> Any:
        with self._lock:
            held = self._pinned.get((kind, key))
        if held is not None and held[0] == version:
            return held[1]
        value = None if held is None or mend is None else mend(held[1], held[0])
        if value is None:
            value = compute()
        with self._lock:
            self._pinned[(kind, key)] = (version, value)
        return value

    def _remember(self, memory_key: tuple, value: Any) -> None:
        with self._lock:
            if memory_key in self._memory:
                return  # another thread got there first
            self._memory[memory_key] = value
            self._held += _weight(value)
            while self._held > self.rows and len(self._memory) > 1:
                _key, evicted = self._memory.popitem(last=False)
                self._held -= _weight(evicted)

    # --- the shared file -----------------------------------------------------------------

    def _shared_get(self, kind: str, version: str, key: Hashable) -> Any:
        if self.shared_path is None:
            return _MISSING
        try:
            row = (
                self._connection(self.shared_path)
                .execute(
                    "SELECT value FROM answers WHERE kind = ? AND key = ? AND version = ?",
                    (kind, key_text(key), version),
                )
                .fetchone()
            )
        except sqlite3.Error as error:
            log.warning("shared answer cache unreadable (%s): computing instead", error)
            return _MISSING
        return _MISSING if row is None else json.loads(row[0])

    def _shared_put(self, kind: str, version: str, key: Hashable, value: Any) -> None:
        if self.shared_path is None:
            return
        try:
            with self._connection(self.shared_path) as con:
                if version != self._shared_version:
                    # The data changed: answers of other versions are dead weight (a drawn
                    # network is hundreds of KB), removed by the first write of the new one.
                    con.execute("DELETE FROM answers WHERE version <> ?", (version,))
                    self._shared_version = version
                # One row per (kind, key): an answer of an older version is replaced.
                con.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                    (kind, key_text(key), version, json.dumps(value)),
                )
        except sqlite3.Error as error:
            log.warning("shared answer cache not written (%s)", error)

    def _connection(self, path: Path) -> sqlite3.Connection:
        """This thread's connection to ``path`` (SQLite connections must not be shared
        between threads)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(path, timeout=5)
            # WAL: readers never wait for a writer.  A cache need not survive a crash.
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=OFF")
            con.execute(_SCHEMA)
            self._local.con = con
        return con


_MISSING = object()


def key_text(key: Hashable) -> str:
    """``key`` as the text every worker writes alike: a query or filters dataclass by its
    fields, a set sorted (its own order depends on the process's string hashing), a date
    in ISO form.

    >>> key_text(("a", frozenset({"y", "x"}), date(2026, 12, 6)))
    '["a", ["x", "y"], "2026-12-06"]'
    """
    return json.dumps(key, default=_plain)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a cache key")


#: Characters of cached HTML counted as one row (a row of an answer is about 1 KB).
HTML_ROW_CHARS = 1000


def _weight(value: Any) -> int:
    """Rows in an answer: a list's length, a string's length in :data:`HTML_ROW_CHARS` (a
    rendered fragment), or a dict's lists and strings counted so (a profile)."""
    if isinstance(value, str):
        return max(1, len(value) // HTML_ROW_CHARS)
    if isinstance(value, list):
        return max(1, len(value))
    if isinstance(value, dict):
        return 1 + sum(_weight(v) for v in value.values() if isinstance(v, (list, str)))
    return 1


def init_app(app: Flask) -> None:
    """Give the app its cache (shared between processes when ``KOLGRAPH_SHARED_CACHE`` names a file)."""
    app.extensions["kolgraph_answers"] = AnswerCache(app.config.get("KOLGRAPH_SHARED_CACHE"))


def cached(
    store: GraphStore,
    kind: str,
    key: Hashable,
    compute: Callable[[], Any],
    *,
    shared: bool = False,
    remember: bool = True,
    pinned: bool = False,
    mend: Mend | None = None,
) -> Any:
    """``compute()``'s answer, reused while ``store``'s data is unchanged (see the module doc
    and :meth:`AnswerCache.get_or_compute`)."""
    cache: AnswerCache = current_app.extensions["kolgraph_answers"]
    return cache.get_or_compute(
        kind,
        data_version(store),
        key,
        compute,
        shared=shared,
        remember=remember,
        pinned=pinned,
        mend=mend,
    )


def cached_rendering(
    store: GraphStore, kind: str, key: Hashable, build: Callable[[], Any], *, shared: bool = False
) -> Any:
    """``build()``'s value -- HTML fragments rendered with autoescape, maybe with a few values
    beside them -- reused while ``store``'s data is unchanged (by every worker when
    ``shared``: JSON values only).  The key includes the app's URL root, as fragments hold
    links."""
    return cached(store, kind, (key, request.script_root), build, shared=shared)


def data_version(store: GraphStore) -> str | None:
    """The store's data version: read once per GET or HEAD request (which writes nothing; a
    page asks for several cached answers, and on Neo4j each read is a round trip), afresh on
    every use in any other request, where a write earlier in the request must count."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return store.data_version()
    held: dict[int, str | None] = g.setdefault("data_versions", {})
    if id(store) not in held:
        held[id(store)] = store.data_version()
    return held[id(store)]
