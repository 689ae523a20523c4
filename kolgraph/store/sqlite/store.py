"""The embedded store: the graph in one SQLite file, no server.

State lives in ``home/kolgraph.sqlite3``: one table per canonical table (columns as in
:mod:`kolgraph.schema`, from which the DDL is generated), the derived ``coauthorships``
table, ``authorships.last_author`` and ``hcps.name``, and ``hcp_scores``.  Every other
statement is a ``.sql`` file in ``sql/``, found by its name.

Crash safety: the file is in WAL mode and every write is one ``BEGIN IMMEDIATE ... COMMIT``
transaction, so a load killed halfway leaves the previous state.  ``synchronous=FULL``: a
load is one transaction, so FULL costs one WAL fsync per load and, unlike NORMAL, keeps a
committed load after a power loss, not only after a process crash.  The first load into a
store holding no data writes a new file instead and renames it into place
(:mod:`.first_load`).

The layout has a version (``PRAGMA user_version``); opening an older file migrates it
(:data:`MIGRATIONS`), a newer one is refused.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from kolgraph import territories
from kolgraph.answers.changes import History
from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.collector import cyclic_gc_paused, return_freed_memory
from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS, Settings
from kolgraph.corrections import FILLED_FIELDS, Correction, from_row
from kolgraph.errors import StoreUnavailable
from kolgraph.private_files import create_private
from kolgraph.schema import (
    AUTHORSHIPS,
    COAUTHORSHIP_COLUMNS,
    NODE_LABELS,
    REL_TYPES,
    TABLES,
    TABLES_BY_NAME,
    Batch,
)
from kolgraph.store.base import GraphStore, Progress, changes_scores, no_progress
from kolgraph.store.common import (
    entity_table,
    grouped,
    object_frame,
    score_columns,
    score_frame,
)
from kolgraph.store.sqlite import first_load, load, network_file, store_state, touch_deltas
from kolgraph.store.sqlite.catalog import Fetch, json_list, sql
from kolgraph.store.sqlite.network_file import NetworkArrays
from kolgraph.store.sqlite.reads import SqliteReads
from kolgraph.store.sqlite.store_state import StoreState
from kolgraph.store.sqlite.territories import (
    HIDDEN_DDL,
    MIGRATIONS_V6,
    read_alignment,
    read_places,
)
from kolgraph.territories import Alignment, aligned_hcps

DB_FILENAME = "kolgraph.sqlite3"
#: The layout this module writes (``PRAGMA user_version``).
SCHEMA_VERSION = 13
#: Statements that bring a file of layout ``version - 1`` to ``version``; they run after
#: the (idempotent) DDL, which creates whatever an older layout lacks.
#: 4, 5 and 7 (``identity_corrections``): by the DDL; 8, 9 and 10: new indexes by the DDL;
#: 11 (``touch_deltas``): by the DDL.  12: the DDL has just made ``touch_deltas`` only if
#: missing, so one of layout 11's shape is dropped and made again.  13
#: (``correction_deltas``): by the DDL.
MIGRATIONS = {
    3: ("migrate_v3_components_json",),
    6: MIGRATIONS_V6,
    8: (
        "migrate_v8_drop_touchpoints_by_hcp",
        "migrate_v8_components_raw_json",
        "migrate_v8_store_epoch_column",
        "migrate_v8_store_epoch",
        "insert_all_hcp_topics",  # into the table the DDL just created
    ),
    12: (
        "migrate_v12_drop_touch_deltas",
        "create_touch_deltas",
        "migrate_v12_store_stamp_column",
        "migrate_v12_store_stamp",
    ),
}
#: Seconds to wait for another process's write lock before giving up.
DEFAULT_TIMEOUT = 10.0

# Error names that mean "the file cannot be used now", as opposed to a bug in a statement.
_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_IOERR",
    "SQLITE_READONLY",
    "SQLITE_FULL",
    "SQLITE_PERM",
    "SQLITE_AUTH",
    "SQLITE_PROTOCOL",
)
_SQL_TYPES = {"int": "INTEGER", "year": "INTEGER"}

#: What :meth:`EmbeddedStore.cached` and the kept arrays keep, by (kind, database file,
#: its device and inode): (the state of the data it was built from, value).
_caches: dict[tuple, tuple[StoreState, object]] = {}
#: The database files whose snapshots this process keeps up to date (:meth:`keep_snapshots`).
_resident: set[Path] = set()
#: The folder beside the database holding arrays written once per version of what they hold.
CACHE_FOLDER = "kolgraph.cache"
#: The arrays kept there, each in folders ``KIND-EPOCH-VERSION-STAMP``, and their classes.
_KEPT_KINDS: dict[str, type] = {"network": NetworkArrays, "authorships": AuthorshipNumbers}
#: Tables a load may write leaving every table of the kept arrays as it was (HCPs,
#: institutions, affiliations, publications, authorships, co-authorships): their files
#: serve the new version too, so a logged touchpoint does not rebuild them (a minute at L).
#: Such a load also records whose touchpoints it changed, for snapshots to follow
#: (:mod:`.touch_deltas`).
NETWORK_NEUTRAL_TABLES = frozenset({"touchpoints", "msls", "trials", "trial_roles"})
_cache_lock = threading.Lock()
#: One lock per cache key, held while its value is built: a thread asking for a value another
#: is building waits for that one instead of building it again beside it.
_build_locks: dict[tuple, threading.Lock] = {}
T = TypeVar("T")
A = TypeVar("A")


class EmbeddedStore(GraphStore):
    """The graph in a SQLite file under ``home``.

    ``create=False`` opens an existing file only: a missing one (never created, deleted or
    moved away under a running server) is :class:`StoreUnavailable`, never a new empty store.
    """

    backend = "embedded"

    def __init__(
        self,
        home: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        create: bool = True,
        coauthor_max_authors: int = DEFAULT_COAUTHOR_MAX_AUTHORS,
    ):
        self.coauthor_max_authors = coauthor_max_authors
        self.path = Path(home) / DB_FILENAME
        self._timeout = timeout
        self._con: sqlite3.Connection | None = self._connect(Path(home), timeout, create)
        self._identity = self._file_identity()
        self._reads = SqliteReads(self)

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> EmbeddedStore:
        return cls(settings.home, create=create, coauthor_max_authors=settings.coauthor_max_authors)

    @property
    def reads(self) -> SqliteReads:
        return self._reads

    # --- opening ---------------------------------------------------------------------------

    def _connect(self, home: Path, timeout: float, create: bool) -> sqlite3.Connection:
        if create:
            try:
                create_private(self.path)
            except OSError as error:
                raise StoreUnavailable(f"cannot create the store in {home}: {error}") from None
        elif not self.path.is_file():
            raise StoreUnavailable(
                f"there is no embedded store at {self.path}; "
                "create it with `kolgraph init` or `kolgraph load`"
            )
        # mode=rw: the file vanishing between the check above and here is not a new store.
        target = self.path.absolute().as_uri() + ("?mode=rwc" if create else "?mode=rw")
        with self.errors("open"):
            # isolation_level=None: transactions are begun and ended explicitly below.
            con = sqlite3.connect(target, timeout=timeout, isolation_level=None, uri=True)
        try:
            with self.errors("open"):
                self._configure(con)
        except BaseException:
            con.close()
            raise
        return con

    def _configure(self, con: sqlite3.Connection) -> None:
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = OFF")  # references are checked by validation
        con.execute("PRAGMA cache_size = -262144")  # 256 MiB: a big load stays in memory
        con.execute("PRAGMA temp_store = MEMORY")
        # After a big load is checkpointed, shrink the WAL instead of keeping it at its peak.
        con.execute("PRAGMA journal_size_limit = 67108864")
        version = _layout(con)
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path} was written by a newer kolgraph (layout {version}, this one "
                f"reads {SCHEMA_VERSION}); upgrade kolgraph"
            )
        if version < SCHEMA_VERSION:
            self._migrate(con)
        elif con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # a first load crashed
            _to_wal(con, self.path)
            first_load.remove_leftover(self.path)

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Create a new file's layout, or bring an older one up to :data:`SCHEMA_VERSION`."""
        _to_wal(con, self.path)  # WAL is persistent in the file, so it is set once, here
        con.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated it while this one waited for the lock.
            version = _layout(con)
            if version < SCHEMA_VERSION:
                _create_layout(con, version)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    def _file_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file at :attr:`path`; None when there is none."""
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def _check_current(self, doing: str) -> None:
        """Refuse to write to a file another has replaced since it was opened (a first load
        into the store: :mod:`.first_load`)."""
        if not self.is_current():
            raise StoreUnavailable(
                f"cannot {doing}: the embedded store {self.path} was replaced since this "
                "process opened it (by a first load?); run the command again"
            )

    def is_current(self) -> bool:
        """Whether the file at :attr:`path` is still the one this store opened."""
        return self._identity is not None and self._file_identity() == self._identity

    # --- running statements ----------------------------------------------------------------

    @property
    def con(self) -> sqlite3.Connection:
        """The open connection (StoreUnavailable once closed)."""
        if self._con is None:
            raise StoreUnavailable(f"the embedded store {self.path} is closed")
        return self._con

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn "the file cannot be used" SQLite errors into :class:`StoreUnavailable`."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            name = getattr(error, "sqlite_errorname", None) or ""
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise StoreUnavailable(
                    f"cannot {doing}: the embedded store {self.path} is locked by another "
                    "process (a load in progress?); try again when it has finished"
                ) from None
            if name.startswith(_UNAVAILABLE):
                raise StoreUnavailable(
                    f"cannot {doing}: the embedded store {self.path} cannot be used: {error}"
                ) from None
            raise  # a bug in a statement, not a problem with the file

    @contextmanager
    def transaction(
        self, doing: str, keeps_path_graph: bool = False, corrected: list[str] | None = None
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back on any exception.

        Each one bumps ``store_version`` (:mod:`.store_state`), so caches of the data (any
        connection's) can tell.  ``keeps_path_graph``: the writes leave every table of the
        path graph as it was (scores, history), so its files serve the new version too;
        ``corrected``: the HCPs a steward correction merged or split, whose links alone
        changed, so the path graph's files (when there are any) are mended for the new
        version (:func:`.network_file.corrected_arrays`), and snapshots kept in memory
        mend themselves from those HCPs' rows (:meth:`cached`).
        """
        with self.errors(doing):
            con = self.con
            con.execute("BEGIN IMMEDIATE")
            try:
                self._check_current(doing)
                yield con
                before = store_state.read(con)
                mended = None
                if corrected:
                    mended = self._mended_path_graph(con, before, corrected)
                    touch_deltas.record_correction(con, corrected)
                after = store_state.bump(con)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:  # a failed COMMIT may already have rolled back
                    con.execute("ROLLBACK")
                raise
            # Give back the page cache the write filled (up to cache_size), to the OS too:
            # the scoring that follows a load would otherwise peak on top of it.
            con.execute("PRAGMA shrink_memory")
            return_freed_memory()
        if keeps_path_graph:
            self._carry_path_graph(before, after)
        if mended is not None:
            self._save_kept("network", after, mended)

    def select(self, name: str, doing: str, params: Sequence | dict = ()) -> list[tuple]:
        """The rows of statement ``name`` (a ``sql/`` file) as tuples."""
        return self.select_text(sql(name), doing, params)

    def select_text(self, text: str, doing: str, params: Sequence | dict = ()) -> list[tuple]:
        """The rows of a generated statement (DDL-like text built from the schema)."""
        with self.errors(doing):
            return self.con.execute(text, params).fetchall()

    def records(self, name: str, doing: str, params: dict) -> list[dict]:
        """The rows of statement ``name`` as dicts keyed by column name."""
        with self.errors(doing):
            cursor = self.con.execute(sql(name), params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def cached(
        self,
        kind: str,
        read: Callable[[Fetch], T],
        follow: Callable[[T, set[str], Fetch], T] | None = None,
        mend: Callable[[T, list[str], Fetch], T] | None = None,
    ) -> T:
        """What ``read(fetch)`` builds from this file, ``fetch(name, params)`` giving a
        statement's rows; kept while ``store_version`` (count and stamp) is unchanged and
        shared by every connection to the file.

        After writes that only changed touchpoints (:mod:`.touch_deltas`), ``follow(held,
        hcp_ids, fetch)``, when given, brings the held value up to date from the HCPs whose
        touchpoints changed; with ``mend``, after steward corrections too, the value
        followed then becomes ``mend(value, their HCPs, fetch)``.  Otherwise it is built
        again.  Either runs in one read transaction, so the version it is kept under
        matches the rows it was built from (with the cyclic collector paused: at L a gaps
        snapshot is millions of objects, and it took a third longer).  Kept per file
        (device and inode); a backup restored over the file in place counts versions again
        from its own, but never with the same stamps."""
        key = (kind, self.path.resolve(), self._identity)
        state = self._store_state()
        with _cache_lock:
            held = _caches.get(key)
            building = _build_locks.setdefault(key, threading.Lock())
        if held is not None and held[0] == state:
            return held[1]  # type: ignore[return-value]
        with building, self.errors(f"read the {kind} data"), cyclic_gc_paused():
            with _cache_lock:
                held = _caches.get(key)  # maybe built meanwhile by the thread this one waited for
            con = self.con
            con.execute("BEGIN")
            try:
                state = store_state.read(con)
                if held is not None and held[0] == state:
                    return held[1]  # type: ignore[return-value]
                value = self._built(con, state, read, follow, mend, held)
            finally:
                con.execute("COMMIT")
            with _cache_lock:
                _caches[key] = (state, value)
        return value

    @staticmethod
    def _built(
        con: sqlite3.Connection,
        state: StoreState,
        read: Callable[[Fetch], T],
        follow: Callable[[T, set[str], Fetch], T] | None,
        mend: Callable[[T, list[str], Fetch], T] | None,
        held: tuple[StoreState, object] | None,
    ) -> T:
        """``read``'s value at ``state`` (inside the caller's read transaction), followed
        from ``held`` when only touchpoints changed since, and mended when corrections did
        too (with a ``mend``)."""

        def fetch(name: str, params: dict | Sequence = ()) -> list[tuple]:
            if isinstance(params, dict):  # a list parameter goes as one JSON array
                params = {k: json_list(v) if isinstance(v, list) else v for k, v in params.items()}
            return con.execute(sql(name), params).fetchall()

        if follow is not None and held is not None and held[0].version < state.version:
            changes = touch_deltas.changes_between(con, held[0], state.version)
            if changes is not None and not changes.corrected:
                return follow(held[1], changes.touched, fetch)  # type: ignore[arg-type]
            if changes is not None and mend is not None:
                followed = follow(held[1], changes.touched, fetch)  # type: ignore[arg-type]
                return mend(followed, changes.corrected, fetch)
        return read(fetch)

    def keep_snapshots(self) -> None:
        """Keep this file's whole-table snapshots (gaps and coverage) in memory from now on,
        brought up to date after each write: for a long-running server.  A one-off process, which
        would read every HCP and touchpoint to answer once, asks bounded SQL instead."""
        _resident.add(self.path.resolve())

    def snapshot(
        self,
        kind: str,
        read: Callable[[Fetch], T],
        follow: Callable[[T, set[str], Fetch], T] | None = None,
        mend: Callable[[T, list[str], Fetch], T] | None = None,
    ) -> T | None:
        """:meth:`cached` in a process keeping snapshots (:meth:`keep_snapshots`), else None."""
        if self.path.resolve() not in _resident:
            return None
        return self.cached(kind, read, follow, mend)

    def prepare_reads(self) -> None:
        self.path_graph()

    def path_graph(self) -> NetworkArrays:
        """The path graph of the current data version as memory-mapped arrays
        (:mod:`.network_file`), written beside the database by the first process to ask."""
        return self._kept_arrays("network", NetworkArrays, network_file.read_arrays)

    def authorship_numbers(self) -> AuthorshipNumbers:
        """Every authorship in numbers, for scoring: kept as the path graph is, in files of
        their own written by the first process to ask for this data version."""
        return self._kept_arrays(
            "authorships", AuthorshipNumbers, network_file.read_authorship_numbers
        )

    def _kept_arrays(self, kind: str, cls: type[A], build: Callable[[sqlite3.Connection], A]) -> A:
        """The arrays of ``kind`` for the current data version: this process's, the files of
        another, or built by ``build`` in one read transaction and written as files."""
        key = (kind, self.path.resolve(), self._identity)
        state = self._store_state()
        with _cache_lock:
            held = _caches.get(key)
        if held is not None and held[0] == state:
            return held[1]  # type: ignore[return-value]
        found = network_file.read(self._kept_folder(kind, state), cls)
        state, arrays = (state, found) if found is not None else self._write_kept(kind, cls, build)
        with _cache_lock:
            _caches[key] = (state, arrays)
        return arrays

    def _write_kept(
        self, kind: str, cls: type[A], build: Callable[[sqlite3.Connection], A]
    ) -> tuple[StoreState, A]:
        with self.errors(f"read the {kind} arrays"):
            con = self.con
            con.execute("BEGIN")
            try:
                state = store_state.read(con)
                arrays = build(con)
            finally:
                con.execute("COMMIT")
        return state, self._save_kept(kind, state, arrays) or arrays

    def _save_kept(self, kind: str, state: StoreState, arrays: A) -> A | None:
        """Write ``arrays`` as the files of ``kind`` for ``state``, and read them back
        memory-mapped (None: a home folder this user cannot write)."""
        folder = self._kept_folder(kind, state)
        try:
            network_file.write(arrays, folder)  # type: ignore[arg-type]
        except OSError:
            return None
        network_file.remove_others(folder)
        return network_file.read(folder, type(arrays))

    def _keep_made(self, made: dict[str, object], version: int) -> None:
        """Save the arrays a first load made from its batch (:mod:`.batch_numbers`) as the
        files of the data it wrote, version ``version``; when another write came first,
        leave them to be read from the store as usual."""
        state = self._store_state()
        if state.version == version:
            for kind, arrays in made.items():
                self._save_kept(kind, state, arrays)

    def _carry_path_graph(self, before: StoreState, after: StoreState) -> None:
        """Rename the files kept for state ``before`` (path graph, authorships) to
        ``after``'s, made by a transaction that changed none of their tables: at 500,000
        HCPs, writing the path graph again after scoring took 34 s.  Nothing to rename, or
        files another process wrote first for the new state, leave it to the next ask."""
        for kind, cls in _KEPT_KINDS.items():
            folder = self._kept_folder(kind, before)
            # Files of another layout (an older kolgraph's path graph held touchpoints) are
            # not carried: an older process must not read them as the new version's.
            if network_file.holds_exactly(folder, cls):
                with suppress(OSError):
                    folder.rename(self._kept_folder(kind, after))

    def _mended_path_graph(
        self, con: sqlite3.Connection, before: StoreState, corrected: list[str]
    ) -> NetworkArrays | None:
        """The path graph of the data a correction is writing, mended from the files of the
        data before it (None when there are none: the next ask reads it whole)."""
        held = network_file.read(self._kept_folder("network", before), NetworkArrays)
        return network_file.corrected_arrays(con, held, corrected) if held is not None else None

    def _kept_folder(self, kind: str, state: StoreState) -> Path:
        """Named by the file's random epoch: a database deleted and created again (maybe on
        the same inode, its version counting from 0 again) never reads the old files; and by
        the state's stamp: nor does a backup copied over it in place, written up to a version
        the replaced file had reached."""
        (epoch,) = self.select("read_store_epoch", "read the store epoch")[0]
        folder = f"{kind}-{epoch}-{state.version}-{state.stamp}"
        return self.path.parent / CACHE_FOLDER / folder

    def _store_state(self) -> StoreState:
        with self.errors("read the store version"):
            return store_state.read(self.con)

    # --- the write side ----------------------------------------------------------------------

    def load(self, batch: Batch, progress: Progress = no_progress) -> None:
        """Upsert ``batch`` by key and refresh derived data, all in one transaction (into a
        store holding no data, in a new file that then takes the store's place:
        :mod:`.first_load`)."""
        frames = load.checked(batch)
        with self.errors("load"):
            with first_load.written_aside(self.con, self.path, _create_layout) as aside:
                if aside is not None:
                    kept = self._write(aside, frames, progress, neutral=False, keep_arrays=True)
                    version = store_state.read(aside).version + 1  # the bump ending the block
            if aside is not None:
                self._reopen()
                self._keep_made(kept, version)
                return_freed_memory()
                return
        neutral = set(frames) <= NETWORK_NEUTRAL_TABLES
        with self.transaction("load", keeps_path_graph=neutral) as con:
            self._write(con, frames, progress, neutral)

    def _write(
        self,
        con: sqlite3.Connection,
        frames: Batch,
        progress: Progress,
        neutral: bool,
        keep_arrays: bool = False,
    ) -> dict[str, object]:
        """Write ``frames`` in ``con``'s transaction; ``neutral``: record whose touchpoints
        changed (:mod:`.touch_deltas`); ``keep_arrays``: return the kept arrays made from
        the batch, by kind (a first load's, :func:`.load.write`)."""
        if "hcps" in frames:  # territories as the stored alignment gives them
            frames["hcps"] = aligned_hcps(frames["hcps"], read_alignment(con))
        delta = touch_deltas.touched_hcps(con, frames.get("touchpoints")) if neutral else None
        kept = load.write(con, frames, progress, self.coauthor_max_authors, keep_arrays)
        if delta is not None:
            touch_deltas.record(con, delta)
        if changes_scores(frames):  # cleared by write_scores
            con.execute(sql("set_scores_stale"))
        return kept

    def _reopen(self) -> None:
        """Connect to the file now at :attr:`path` (another took the place of the open one)."""
        self.close()
        self._con = self._connect(self.path.parent, self._timeout, create=False)
        self._identity = self._file_identity()

    def write_scores(self, frame: pd.DataFrame, seen: int | None = None) -> None:
        """Replace every HCP score with ``frame``, in one transaction."""
        columns = score_columns(frame)  # as tuples: binding by name costs a third more
        columns["rising"] = [int(v) for v in columns["rising"]]
        with self.transaction("write scores", keeps_path_graph=True) as con:
            con.execute("DELETE FROM hcp_scores")
            con.executemany(sql("insert_score"), zip(*columns.values()))
            marks = self.stale_marks() if seen is None else seen
            con.execute(sql("set_scores_fresh"), {"seen": marks})

    def stale_marks(self) -> int:
        rows = self.select("read_score_state", "read the score state")
        return int(rows[0][0]) if rows else 0

    def scores(self) -> pd.DataFrame:
        """Every stored HCP score, sorted by ``hcp_id`` (``components`` as dicts)."""
        return score_frame(self.records("list_scores", "read scores", {}))

    def influences(self) -> dict[str, float]:
        return dict(self.select("list_influences", "read influence"))

    def save_history(
        self,
        scored_on: str,
        tiers: dict[str, tuple[int, bool]],
        coverage: list[dict],
        keep: History,
    ) -> None:
        oldest = (date.fromisoformat(scored_on) - timedelta(days=keep.days)).isoformat()
        with self.transaction("keep history", keeps_path_graph=True) as con:
            con.execute(
                sql("insert_score_run"), {"scored_on": scored_on, "tiers_json": json.dumps(tiers)}
            )
            con.execute(sql("delete_old_score_runs"), {"keep": keep.runs})
            con.execute(sql("delete_coverage_day"), {"day": scored_on})
            con.executemany(
                sql("insert_coverage_day"), [{"day": scored_on, **row} for row in coverage]
            )
            con.execute(sql("delete_old_coverage_days"), {"oldest": oldest})
            touch_deltas.record(con, set())  # no snapshot reads the history

    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table``."""
        spec = entity_table(table)
        if not self.select_text(f"SELECT EXISTS (SELECT 1 FROM {table})", f"read {table}")[0][0]:
            return set()  # a first load: ``keys`` is not even read
        key = spec.key[0]
        text = f"SELECT {key} FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))"
        found = self.select_text(text, f"read {table}", (json_list(keys),))
        return {k for (k,) in found}

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts per node label and relationship type, zeros included."""
        names = [t.name for t in TABLES] + ["coauthorships"]
        text = " UNION ALL ".join(f"SELECT '{n}', COUNT(*) FROM {n}" for n in names)
        count = dict(self.select_text(text, "count"))
        nodes = {t.label: count[t.name] for t in TABLES if t.label}
        rels = {t.rel_type: count[t.name] for t in TABLES if t.rel_type}
        rels |= {
            "COAUTHORED_WITH": count["coauthorships"],
            "LOGGED": count["touchpoints"],
            "WITH": count["touchpoints"],
        }
        return {
            "nodes": {label: nodes[label] for label in NODE_LABELS},
            "relationships": {rel: rels[rel] for rel in REL_TYPES},
        }

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole stored table, sorted by key, canonical kinds; derived columns appended
        (``hcps.name``, ``authorships.last_author`` as bool)."""
        return self._table(name, columns=columns)

    def coauthor_edges(self) -> CoauthorEdges:
        """From the path graph files (:meth:`path_graph`), which hold them in numbers."""
        return self.path_graph().coauthor_edges()

    def tables_around(self, hcp_id: str) -> dict[str, pd.DataFrame]:
        """As :meth:`GraphStore.tables_around`, reading only those rows (indexed look-ups)."""
        return {name: self._table(name, _AROUND[name], {"hcp": hcp_id}) for name in _AROUND}

    def _table(
        self,
        name: str,
        where: str = "",
        params: dict | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The rows of table ``name`` that ``where`` (a constant condition) selects: every
        column, or only ``columns``."""
        stored, key, lists = _table_shape(name)
        chosen = tuple(columns) if columns is not None else stored
        unknown = set(chosen) - set(stored)
        if unknown:
            raise ValueError(f"table {name!r} has no column(s) {', '.join(sorted(unknown))}")
        condition = f" WHERE {where}" if where else ""
        text = f"SELECT {', '.join(chosen)} FROM {name}{condition} ORDER BY {', '.join(key)}"
        chunks: list[list[np.ndarray]] = [[] for _ in chosen]
        with self.errors(f"read {name}"), cyclic_gc_paused():
            cursor = self.con.execute(text, params or {})
            while rows := cursor.fetchmany(TABLE_CHUNK):
                for parts, column_values in zip(chunks, zip(*rows)):
                    parts.append(_objects(column_values))
        frame = pd.DataFrame({c: _joined(parts) for c, parts in zip(chosen, chunks)})
        for column in set(lists) & set(chosen):
            frame[column] = frame[column].map(load.json_loads)
        if name == AUTHORSHIPS.name and "last_author" in chosen:
            frame["last_author"] = frame["last_author"].map(bool).astype(object)
        return frame

    def data_version(self) -> str:
        """``inode:version:stamp`` of ``store_version``: every write transaction counts it up
        and stamps it afresh, so neither a file replaced by another (whose counter starts
        again) nor a backup copied over it in place (the same inode) repeats a token."""
        version, stamp = self._store_state()
        return f"{self._inode()}:{version}:{stamp}"

    def _inode(self) -> int:
        try:
            return self.path.stat().st_ino
        except OSError as error:
            raise StoreUnavailable(f"cannot read {self.path}: {error}") from None

    def corrected_since(self, version: str) -> list[str] | None:
        inode, _, state = version.partition(":")
        count, _, stamp = state.partition(":")
        if not count.isdigit() or inode != str(self._inode()):
            return None
        held = StoreState(int(count), stamp)
        with self.errors("read the store version"):
            con = self.con
            con.execute("BEGIN")
            try:
                now = store_state.read(con)
                if now == held:
                    return []
                changes = None
                if now.version > held.version:
                    changes = touch_deltas.changes_between(con, held, now.version)
            finally:
                con.execute("COMMIT")
        return None if changes is None else changes.corrected

    # --- steward corrections ----------------------------------------------------------------

    def corrections(self) -> list[Correction]:
        """Every stored steward correction, oldest first."""
        return [
            from_row(r) for r in self.records("list_identity_corrections", "read corrections", {})
        ]

    def apply_merge(self, correction: Correction) -> None:
        """Fold ``other_id`` into ``hcp_id`` and keep the record, in one transaction."""
        ids = {"hcp_id": correction.hcp_id, "other_id": correction.other_id}
        fields = {name: correction.fields.get(name) for name in FILLED_FIELDS}
        with self.transaction("merge HCPs", corrected=list(ids.values())) as con:
            con.execute(sql("fill_hcp_fields"), {"hcp_id": correction.hcp_id, **fields})
            for statement in load.move_statements():
                con.execute(statement, ids)
            con.execute(sql("delete_hcp"), {"hcp_id": correction.other_id})
            con.execute(sql("delete_hcp_score"), {"hcp_id": correction.other_id})
            self._finish_correction(con, correction)

    def apply_split(self, correction: Correction, hcp: dict) -> None:
        """Create the new HCP, move the split authorships to it and keep the record, in one
        transaction."""
        corrected = [correction.hcp_id, correction.other_id]
        with self.transaction("split an HCP", corrected=corrected) as con:
            frame = aligned_hcps(
                object_frame({k: [v] for k, v in hcp.items()}), read_alignment(con)
            )
            load.write(con, {"hcps": frame}, no_progress, self.coauthor_max_authors)
            con.execute(
                sql("move_authorships"),
                {
                    "hcp_id": correction.hcp_id,
                    "other_id": correction.other_id,
                    "pmids": json_list(correction.pmids),
                },
            )
            self._finish_correction(con, correction)

    def _finish_correction(self, con: sqlite3.Connection, correction: Correction) -> None:
        ids = [correction.hcp_id, correction.other_id]
        load.recount_corrected(con, ids, list(correction.pmids), self.coauthor_max_authors)
        con.execute(sql("insert_identity_correction"), correction.row())
        con.execute(sql("set_scores_stale"))

    # --- territories and CRM look-ups ------------------------------------------------------

    def alignment(self) -> Alignment | None:
        """The stored territory alignment (``None`` when none was stored)."""
        with self.errors("read the alignment"):
            return read_alignment(self.con)

    def set_alignment(self, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other) and re-align every stored HCP, in one
        transaction; returns how many HCPs changed territory."""
        with self.transaction("store the alignment") as con:
            con.execute(sql("delete_territory_rules"))
            con.executemany(sql("insert_territory_rule"), territories.rule_rows(alignment))
            settings = {"source": alignment.source, "override": int(alignment.override)}
            con.execute(sql("write_territory_alignment"), settings)
            changed = territories.realigned(read_places(con), alignment)
            rows = changed.assign(territory_aligned=changed["territory_aligned"].map(int))
            con.executemany(sql("set_hcp_territory"), rows.to_dict("records"))
        return len(changed)

    def hcp_places(self) -> pd.DataFrame:
        """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
        with self.errors("read HCP places"):
            return read_places(self.con)

    def known_territories(self) -> list[str]:
        """Every territory of an HCP, an MSL or an alignment rule, sorted."""
        return [t for (t,) in self.select("list_territories", "read territories")]

    def hcp_ids_by_npi(self, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> the ids of the HCPs holding it, for the given NPIs any HCP holds."""
        rows = self.select("read_hcp_ids_by_npi", "read NPIs", {"npis": json_list(npis)})
        return grouped(rows)

    def hcp_npis(self, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""
        return dict(self.select("read_hcp_npis", "read NPIs", {"hcp_ids": json_list(hcp_ids)}))

    def msl_ids_by_email(self) -> dict[str, list[str]]:
        """Lower-case e-mail -> the ids of the MSLs with that e-mail (in any case)."""
        rows = self.select("list_msl_emails", "read MSL e-mails")
        return grouped((email.lower(), msl_id) for email, msl_id in rows)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._con is not None:
            self._con.close()
            self._con = None


_HCP_PMIDS = "pmid IN (SELECT pmid FROM authorships WHERE hcp_id = :hcp)"
#: Per projection table, the rows of one HCP's explanation (``:hcp``; see
#: :func:`~kolgraph.store.common.tables_around`).
_AROUND = {
    "hcps": "hcp_id = :hcp OR hcp_id IN (SELECT hcp_b FROM coauthorships WHERE hcp_a = :hcp)"
    " OR hcp_id IN (SELECT hcp_a FROM coauthorships WHERE hcp_b = :hcp)",
    "publications": _HCP_PMIDS,
    "authorships": _HCP_PMIDS,
    "coauthorships": "hcp_a = :hcp OR hcp_b = :hcp",
    "trials": "nct_id IN (SELECT nct_id FROM trial_roles WHERE hcp_id = :hcp)",
    "trial_roles": "hcp_id = :hcp",
    "affiliations": "hcp_id = :hcp",
    "institutions": "institution_id IN (SELECT institution_id FROM affiliations"
    " WHERE hcp_id = :hcp)",
}


def _to_wal(con: sqlite3.Connection, path: Path) -> None:
    if con.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
        raise StoreUnavailable(f"{path}: cannot switch the database to WAL mode")


def _layout(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def _create_layout(con: sqlite3.Connection, found: int = 0) -> None:
    """Bring a file of layout ``found`` (0: a new file) to :data:`SCHEMA_VERSION`: the
    idempotent DDL, then the migrations of each later layout."""
    for statement in _schema_statements():
        con.execute(statement)
    for step in range(found + 1, SCHEMA_VERSION + 1) if found else ():
        for name in MIGRATIONS.get(step, ()):
            con.execute(sql(name))
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _schema_statements() -> list[str]:
    """DDL for every canonical table (from :mod:`kolgraph.schema`), then the extras."""
    statements = []
    for table in TABLES:
        columns = [f"{c.name} {_SQL_TYPES.get(c.kind, 'TEXT')}" for c in table.columns]
        columns += load.DERIVED_DDL.get(table.name, ()) + HIDDEN_DDL.get(table.name, ())
        # Link tables are looked up by their composite key: cluster them on it.
        suffix = " WITHOUT ROWID" if len(table.key) > 1 else ""
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(columns)}, "
            f"PRIMARY KEY ({', '.join(table.key)})){suffix}"
        )
    extras = "\n".join(
        line for line in sql("create_extras").splitlines() if not line.startswith("--")
    )
    statements += [s.strip() for s in extras.split(";") if s.strip()]
    # files of their own: layout 12 makes touch_deltas again
    return statements + [sql("create_touch_deltas"), sql("create_correction_deltas")]


#: Rows fetched at a time when a whole table is read.
TABLE_CHUNK = 100_000


# A whole table's values are kept in object arrays a chunk at a time, not in lists: the
# cyclic garbage collector walks every item of a list at each full collection.
def _objects(values: tuple) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _joined(parts: list[np.ndarray]) -> pd.Series:
    return pd.Series(np.concatenate(parts) if parts else np.array([], dtype=object), dtype=object)


def _table_shape(name: str) -> tuple[tuple[str, ...], Sequence[str], tuple[str, ...]]:
    """Table ``name``'s stored columns (derived ones appended), key and list columns."""
    if name == "coauthorships":
        return COAUTHORSHIP_COLUMNS, ("hcp_a", "hcp_b"), ()
    if name not in TABLES_BY_NAME:
        raise ValueError(f"unknown table {name!r}")
    spec = TABLES_BY_NAME[name]
    lists = tuple(c.name for c in spec.columns if c.kind == "list")
    return spec.column_names + load.DERIVED.get(name, ()), spec.key, lists
