"""The embedded store: the graph in one SQLite file, no server.

State lives in ``home/kolgraph.sqlite3``: one table per canonical table (columns as in
:mod:`kolgraph.schema`), the derived ``coauthorships`` table, ``authorships.last_author`` and
``hcps.name``, and ``hcp_scores`` for influence scoring.  The DDL is generated from
:mod:`kolgraph.schema`, the single place that names columns.

Crash safety: the file is in WAL mode and every :meth:`EmbeddedStore.load` is one
``BEGIN IMMEDIATE ... COMMIT`` transaction, so a load killed halfway leaves the previous state.
``synchronous=FULL`` because a load is one transaction: FULL costs one WAL fsync per commit
(milliseconds per load) and, unlike NORMAL, keeps a committed load after a power loss, not only
after a process crash.

List columns are stored as JSON text (``[]`` when blank), so an item may hold any character.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from json.encoder import encode_basestring
from pathlib import Path

import pandas as pd

from kolgraph.coauthorship import coauthorship_pairs
from kolgraph.errors import InputError, StoreUnavailable
from kolgraph.schema import (
    AUTHORSHIPS,
    HCPS,
    NODE_LABELS,
    REL_TYPES,
    TABLES,
    TABLES_BY_NAME,
    Batch,
    Table,
    hcp_name,
)
from kolgraph.store.base import COAUTHORSHIP_COLUMNS, GraphStore, Progress, no_progress
from kolgraph.store.embedded_gaps import EmbeddedGapQueries
from kolgraph.store.embedded_network import EmbeddedNetworkQueries
from kolgraph.store.embedded_territories import DDL as TERRITORY_DDL
from kolgraph.store.embedded_territories import (
    HIDDEN,
    HIDDEN_DDL,
    EmbeddedTerritoryQueries,
    hidden_values,
    read_alignment,
)
from kolgraph.store.embedded_web import EmbeddedWebQueries
from kolgraph.territories import aligned_hcps

DB_FILENAME = "kolgraph.sqlite3"
#: ``PRAGMA user_version`` of the layout this module writes; bump it with a migration.
#: 2 added ``store_version``, 3 ``hcps.postal_code`` and the territory alignment; every DDL
#: statement is ``IF NOT EXISTS`` and missing columns are added, so running them all on an
#: older file is the migration.
SCHEMA_VERSION = 3
#: Rows per ``executemany`` call (and per progress report).
CHUNK_ROWS = 50_000
#: Above this share of stored publications touched, derived data is rebuilt in one statement.
FULL_REFRESH_SHARE = 0.25
#: Seconds to wait for another process's write lock before giving up.
DEFAULT_TIMEOUT = 10.0

SCORE_COLUMNS = ("hcp_id", "influence", "tier", "rank", "components", "rising", "rising_score")
_INT_KINDS = ("int", "year")
_SQL_TYPES = {"int": "INTEGER", "year": "INTEGER"}
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

#: Derived columns stored (and returned by ``table``) after a table's canonical columns.
_DERIVED_DDL = {
    HCPS.name: ("name TEXT",),
    AUTHORSHIPS.name: ("last_author INTEGER NOT NULL DEFAULT 0",),
}
DERIVED = {table: tuple(d.split()[0] for d in ddl) for table, ddl in _DERIVED_DDL.items()}
_EXTRA_DDL = """
CREATE INDEX IF NOT EXISTS authorships_by_hcp ON authorships (hcp_id, pmid);
CREATE INDEX IF NOT EXISTS affiliations_by_institution ON affiliations (institution_id);
CREATE INDEX IF NOT EXISTS trial_roles_by_hcp ON trial_roles (hcp_id);
CREATE INDEX IF NOT EXISTS touchpoints_by_hcp ON touchpoints (hcp_id);
CREATE INDEX IF NOT EXISTS touchpoints_by_msl ON touchpoints (msl_id);
CREATE TABLE IF NOT EXISTS coauthorships (
    hcp_a TEXT NOT NULL, hcp_b TEXT NOT NULL, papers INTEGER NOT NULL,
    first_year INTEGER, last_year INTEGER,
    PRIMARY KEY (hcp_a, hcp_b), CHECK (hcp_a < hcp_b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS coauthorships_by_b ON coauthorships (hcp_b);
CREATE TABLE IF NOT EXISTS hcp_scores (
    hcp_id TEXT PRIMARY KEY, influence REAL, tier INTEGER, rank INTEGER,
    components TEXT NOT NULL DEFAULT '{}', rising INTEGER NOT NULL DEFAULT 0, rising_score REAL
);
CREATE TABLE IF NOT EXISTS store_version (
    id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL
);
INSERT OR IGNORE INTO store_version (id, version) VALUES (1, 0);
"""

# Co-author pairs over every authorship, one set-based statement (full refresh).  CROSS JOIN
# fixes the order: publications scanned in storage order, then their authors by primary key.
_ALL_PAIRS = """
INSERT INTO coauthorships (hcp_a, hcp_b, papers, first_year, last_year)
SELECT a.hcp_id, b.hcp_id, COUNT(*), MIN(p.year), MAX(p.year)
FROM publications AS p
CROSS JOIN authorships AS a ON a.pmid = p.pmid
CROSS JOIN authorships AS b ON b.pmid = a.pmid AND b.hcp_id > a.hcp_id
GROUP BY a.hcp_id, b.hcp_id
"""
# The pairs whose numbers a load can change: those sharing a touched publication (loads never
# delete authorships, so any other pair keeps every paper and year it had).
_TOUCHED_PAIRS = """
INSERT OR IGNORE INTO temp.touched_pairs (hcp_a, hcp_b)
SELECT a.hcp_id, b.hcp_id
FROM temp.touched AS t
JOIN authorships AS a ON a.pmid = t.pmid
JOIN authorships AS b ON b.pmid = a.pmid AND b.hcp_id > a.hcp_id
"""
_RECOMPUTE_PAIRS = """
INSERT INTO coauthorships (hcp_a, hcp_b, papers, first_year, last_year)
SELECT x.hcp_a, x.hcp_b, COUNT(*), MIN(p.year), MAX(p.year)
FROM temp.touched_pairs AS x
JOIN authorships AS a ON a.hcp_id = x.hcp_a
JOIN authorships AS b ON b.hcp_id = x.hcp_b AND b.pmid = a.pmid
JOIN publications AS p ON p.pmid = a.pmid
GROUP BY x.hcp_a, x.hcp_b
"""
# last_author for the touched publications (or all), writing only rows that change.
_LAST_AUTHOR = """
UPDATE authorships SET last_author = (authorships.position = m.top)
FROM (SELECT pmid, MAX(position) AS top FROM authorships {where} GROUP BY pmid) AS m
WHERE authorships.pmid = m.pmid AND authorships.last_author IS NOT (authorships.position = m.top)
"""


_STORE_VERSION = "SELECT version FROM store_version"

#: What :meth:`EmbeddedStore._cached` keeps, by (kind, database file): (store_version, value).
_caches: dict[tuple[str, Path], tuple[int, object]] = {}
_cache_lock = threading.Lock()


class EmbeddedStore(
    EmbeddedGapQueries,
    EmbeddedNetworkQueries,
    EmbeddedWebQueries,
    EmbeddedTerritoryQueries,
    GraphStore,
):
    """The graph in a SQLite file under ``home`` (created when missing)."""

    backend = "embedded"

    def __init__(self, home: Path, *, timeout: float = DEFAULT_TIMEOUT):
        self.path = Path(home) / DB_FILENAME
        self._con = self._connect(Path(home), timeout)

    # --- opening ---------------------------------------------------------------------------

    def _connect(self, home: Path, timeout: float) -> sqlite3.Connection:
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"cannot create the store folder {home}: {error}") from None
        with self._errors("open"):
            # isolation_level=None: transactions are begun and ended explicitly below.
            con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            with self._errors("open"):
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
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path} was written by a newer kolgraph (layout {version}, this one "
                f"reads {SCHEMA_VERSION}); upgrade kolgraph"
            )
        if version < SCHEMA_VERSION:
            self._create_schema(con)

    def _create_schema(self, con: sqlite3.Connection) -> None:
        # WAL is persistent in the file, so it is set once, here.
        if con.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
            raise StoreUnavailable(f"{self.path}: cannot switch the database to WAL mode")
        con.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created it while this one waited for the lock.
            if con.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                for statement in _schema_statements():
                    con.execute(statement)
                _add_missing_columns(con)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
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
    def _transaction(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back on any exception.

        Each one bumps ``store_version``, so caches of the data (any connection's) can tell.
        """
        with self._errors(doing):
            self._con.execute("BEGIN IMMEDIATE")
            try:
                yield self._con
                self._con.execute("UPDATE store_version SET version = version + 1")
                self._con.execute("COMMIT")
            except BaseException:
                if self._con.in_transaction:  # a failed COMMIT may already have rolled back
                    self._con.execute("ROLLBACK")
                raise

    # --- loading ---------------------------------------------------------------------------

    def load(self, batch: Batch, progress: Progress = no_progress) -> None:
        """Upsert ``batch`` by key and refresh derived data, all in one transaction.

        A first load of authorships takes its co-author pairs from the batch, computed by
        numpy on another thread while SQLite writes the tables (both mostly release the GIL).
        """
        frames = _checked(batch)
        with self._transaction("load") as con, ThreadPoolExecutor(1) as helper:
            if HCPS.name in frames:  # territories as the stored alignment gives them
                frames[HCPS.name] = aligned_hcps(frames[HCPS.name], read_alignment(con))
            first = _count(con, "authorships") == 0 and _self_contained(frames)
            pairs = (
                helper.submit(coauthorship_pairs, frames["authorships"], frames["publications"])
                if first
                else None
            )
            for table in TABLES:
                if table.name in frames:
                    self._upsert(con, table, frames[table.name], progress)
            touched = _touched_pmids(frames)
            if pairs is not None:
                _insert_all_pairs(con, pairs.result())
            elif touched:
                self._refresh_derived(con, touched)

    def _upsert(
        self, con: sqlite3.Connection, table: Table, frame: pd.DataFrame, progress: Progress
    ) -> None:
        statement = _upsert_sql(table)
        rows = _rows(table, frame)
        stored = _count(con, table.name)
        # A bulk load into a (nearly) empty table: sorting once to rebuild an index is much
        # cheaper than a million random index inserts.
        bulk = len(rows) > CHUNK_ROWS and len(rows) >= stored
        with _indexes_dropped(con, table.name, bulk):
            for start in range(0, len(rows), CHUNK_ROWS):
                chunk = rows[start : start + CHUNK_ROWS]
                con.executemany(statement, chunk)
                progress(len(chunk))

    def _refresh_derived(self, con: sqlite3.Connection, touched: list[str]) -> None:
        """Bring ``last_author`` and ``coauthorships`` up to date for the touched publications.

        Both paths give what a full recomputation gives; the full one is faster when a load
        touches much of the store (a first load), the incremental one for weekly updates.
        """
        if len(touched) >= FULL_REFRESH_SHARE * _count(con, "publications"):
            _refresh_all(con)
        else:
            _refresh_touched(con, touched)

    # --- scores ----------------------------------------------------------------------------

    def write_scores(self, frame: pd.DataFrame) -> None:
        """Replace every HCP score with ``frame``, in one transaction.

        ``frame`` has the columns ``hcp_id, influence, tier, rank, components`` (a dict,
        stored as JSON), ``rising`` (bool) and ``rising_score``.
        """
        missing = [c for c in SCORE_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(f"scores: missing column(s) {', '.join(missing)}")
        rows = [_score_row(r) for r in _clean(frame[list(SCORE_COLUMNS)]).itertuples(index=False)]
        placeholders = ", ".join("?" * len(SCORE_COLUMNS))
        with self._transaction("write scores") as con:
            con.execute("DELETE FROM hcp_scores")
            con.executemany(
                f"INSERT INTO hcp_scores ({', '.join(SCORE_COLUMNS)}) VALUES ({placeholders})", rows
            )

    def scores(self) -> pd.DataFrame:
        """Every stored HCP score, sorted by ``hcp_id`` (``components`` as dicts)."""
        rows = self._select(
            f"SELECT {', '.join(SCORE_COLUMNS)} FROM hcp_scores ORDER BY hcp_id", "read scores"
        )
        rows = [(h, i, t, r, json.loads(c), bool(rs), s) for h, i, t, r, c, rs, s in rows]
        frame = _object_frame(SCORE_COLUMNS, rows)
        for column in ("influence", "rising_score"):
            frame[column] = frame[column].astype(float)
        return frame

    # --- reading ---------------------------------------------------------------------------

    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table``."""
        spec = TABLES_BY_NAME.get(table)
        if spec is None or spec.label is None:
            raise ValueError(f"{table!r} is not an entity table")
        key = spec.key[0]
        # One JSON parameter instead of thousands of placeholders.
        sql = f"SELECT {key} FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))"
        return {k for (k,) in self._select(sql, f"read {table}", (json.dumps(list(keys)),))}

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts per node label and relationship type, zeros included."""
        count = self._counts()
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

    def _counts(self) -> dict[str, int]:
        names = [t.name for t in TABLES] + ["coauthorships"]
        sql = " UNION ALL ".join(f"SELECT '{n}', COUNT(*) FROM {n}" for n in names)
        return dict(self._select(sql, "count"))

    def table(self, name: str) -> pd.DataFrame:
        """A whole stored table, sorted by key, canonical kinds; derived columns appended
        (``hcps.name``, ``authorships.last_author`` as bool)."""
        if name == "coauthorships":
            columns, key, lists = COAUTHORSHIP_COLUMNS, ("hcp_a", "hcp_b"), ()
        elif name in TABLES_BY_NAME:
            spec = TABLES_BY_NAME[name]
            columns = spec.column_names + DERIVED.get(name, ())
            key, lists = spec.key, [c.name for c in spec.columns if c.kind == "list"]
        else:
            raise ValueError(f"unknown table {name!r}")
        rows = self._select(
            f"SELECT {', '.join(columns)} FROM {name} ORDER BY {', '.join(key)}", f"read {name}"
        )
        frame = _object_frame(columns, rows)
        for column in lists:
            frame[column] = frame[column].map(json.loads)
        if name == AUTHORSHIPS.name:
            frame["last_author"] = frame["last_author"].map(bool).astype(object)
        return frame

    def _select(self, sql: str, doing: str, params: Sequence = ()) -> list[tuple]:
        with self._errors(doing):
            return self._con.execute(sql, params).fetchall()

    def _cached(
        self, kind: str, read: Callable[[sqlite3.Connection], object], doing: str
    ) -> object:
        """What ``read(con)`` builds from this file (gaps snapshot, search index, path graph,
        topics), kept while ``store_version`` is unchanged and shared by every connection to
        the file; after a write it is read again, in one read transaction, so the version it
        is kept under matches the rows it was built from."""
        key = (kind, self.path.resolve())
        version = self._select(_STORE_VERSION, "read the store version")[0][0]
        with _cache_lock:
            cached = _caches.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._errors(doing):
            self._con.execute("BEGIN")
            try:
                version = self._con.execute(_STORE_VERSION).fetchone()[0]
                value = read(self._con)
            finally:
                self._con.execute("COMMIT")
        with _cache_lock:
            _caches[key] = (version, value)
        return value

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._con is not None:
            self._con.close()
            self._con = None


# --- helpers -------------------------------------------------------------------------------


def _schema_statements() -> list[str]:
    """DDL for every canonical table (from :mod:`kolgraph.schema`), then the extras."""
    statements = []
    for table in TABLES:
        columns = [f"{c.name} {_SQL_TYPES.get(c.kind, 'TEXT')}" for c in table.columns]
        columns += _DERIVED_DDL.get(table.name, ()) + HIDDEN_DDL.get(table.name, ())
        # Link tables are looked up by their composite key: cluster them on it.
        suffix = " WITHOUT ROWID" if len(table.key) > 1 else ""
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(columns)}, "
            f"PRIMARY KEY ({', '.join(table.key)})){suffix}"
        )
    extra = _EXTRA_DDL + TERRITORY_DDL
    return statements + [s.strip() for s in extra.split(";") if s.strip()]


def _add_missing_columns(con: sqlite3.Connection) -> None:
    """Columns a newer layout added to a table an older kolgraph created (at its end)."""
    for table in TABLES:
        have = {row[1] for row in con.execute(f"PRAGMA table_info({table.name})")}
        wanted = [f"{c.name} {_SQL_TYPES.get(c.kind, 'TEXT')}" for c in table.columns]
        wanted += _DERIVED_DDL.get(table.name, ()) + HIDDEN_DDL.get(table.name, ())
        for ddl in wanted:
            if ddl.split()[0] not in have:
                con.execute(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")


def _refresh_all(con: sqlite3.Connection) -> None:
    con.execute(_LAST_AUTHOR.format(where=""))
    con.execute("DELETE FROM coauthorships")
    with _indexes_dropped(con, "coauthorships"):
        con.execute(_ALL_PAIRS)


def _self_contained(frames: Batch) -> bool:
    """Whether every authorship of the batch dates from a publication of the batch."""
    if "authorships" not in frames or "publications" not in frames:
        return False
    return bool(frames["authorships"]["pmid"].isin(frames["publications"]["pmid"]).all())


def _insert_all_pairs(con: sqlite3.Connection, pairs: pd.DataFrame) -> None:
    """A first load of authorships: the pairs come from the batch in memory (numpy), which is
    faster than the self-join; the store held no authorships, so they are all the pairs, and
    ``last_author`` as computed within the batch (:func:`_last_in_batch`) is already right."""
    con.execute("DELETE FROM coauthorships")
    with _indexes_dropped(con, "coauthorships"):
        con.executemany(
            f"INSERT INTO coauthorships ({', '.join(COAUTHORSHIP_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
            zip(*(pairs[c].tolist() for c in COAUTHORSHIP_COLUMNS)),
        )


def _refresh_touched(con: sqlite3.Connection, touched: list[str]) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (pmid TEXT PRIMARY KEY)")
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS touched_pairs "
        "(hcp_a TEXT, hcp_b TEXT, PRIMARY KEY (hcp_a, hcp_b)) WITHOUT ROWID"
    )
    con.execute("DELETE FROM temp.touched")
    con.execute("DELETE FROM temp.touched_pairs")
    con.executemany("INSERT INTO temp.touched VALUES (?)", ((p,) for p in touched))
    con.execute(_LAST_AUTHOR.format(where="WHERE pmid IN temp.touched"))
    con.execute(_TOUCHED_PAIRS)
    con.execute(
        "DELETE FROM coauthorships WHERE (hcp_a, hcp_b) IN "
        "(SELECT hcp_a, hcp_b FROM temp.touched_pairs)"
    )
    con.execute(_RECOMPUTE_PAIRS)


def _count(con: sqlite3.Connection, table: str) -> int:
    return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@contextmanager
def _indexes_dropped(con: sqlite3.Connection, table: str, drop: bool = True) -> Iterator[None]:
    """Drop ``table``'s secondary indexes for the block, then rebuild them.

    Runs inside the load's transaction: if the block fails, the rollback restores them.
    """
    if not drop:
        yield
        return
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
        "AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        con.execute(f"DROP INDEX {name}")
    yield
    for _name, sql in indexes:
        con.execute(sql)


def _upsert_sql(table: Table) -> str:
    """``INSERT ... ON CONFLICT(key) DO UPDATE`` setting every non-key column."""
    columns = table.column_names + DERIVED.get(table.name, ()) + HIDDEN.get(table.name, ())
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in table.key)
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
    )


def _checked(batch: Batch) -> Batch:
    """The batch's non-empty frames, after checking table names and columns."""
    unknown = sorted(set(batch) - set(TABLES_BY_NAME))
    if unknown:
        raise InputError(f"unknown table(s) in batch: {', '.join(unknown)}")
    for name, frame in batch.items():
        missing = [c for c in TABLES_BY_NAME[name].column_names if c not in frame.columns]
        if missing:
            raise InputError(f"{name}: missing column(s) {', '.join(missing)}")
    return {name: frame for name, frame in batch.items() if len(frame)}


def _touched_pmids(frames: Batch) -> list[str]:
    """Publications whose derived data a load may change."""
    touched: set[str] = set()
    for name in ("publications", "authorships"):
        if name in frames:
            touched.update(frames[name]["pmid"])
    return sorted(touched)


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with every pandas missing value as ``None``."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def _rows(table: Table, frame: pd.DataFrame) -> list[tuple]:
    """Parameter tuples for :func:`_upsert_sql`: canonical columns, then derived ones, then
    hidden ones (``hcps``: from :func:`~kolgraph.territories.aligned_hcps`)."""
    hidden = frame
    frame = _clean(frame[list(table.column_names)])
    columns = [_to_sql(frame[c.name], c.kind) for c in table.columns]
    if table is HCPS:
        columns.append([hcp_name(f, l) for f, l in zip(frame["first_name"], frame["last_name"])])
        columns += hidden_values(hidden)
    elif table is AUTHORSHIPS:
        columns.append(_last_in_batch(frame))
    return list(zip(*columns))


def _to_sql(values: pd.Series, kind: str) -> list:
    if kind in _INT_KINDS:  # also turns numpy integers, which sqlite3 cannot bind, into int
        return [None if v is None else int(v) for v in values]
    if kind == "list":  # JSON arrays of strings, ~4x faster than json.dumps per row
        return ["[" + ",".join(map(encode_basestring, v)) + "]" if v else "[]" for v in values]
    return values.tolist()


def _last_in_batch(frame: pd.DataFrame) -> list[int]:
    """``last_author`` within the batch; the refresh corrects it against stored rows, and
    starting close to right means it rewrites few rows."""
    position = pd.to_numeric(frame["position"])
    top = position.groupby(frame["pmid"]).transform("max")
    return (position == top).astype(int).tolist()


def _object_frame(columns: Sequence[str], rows: list[tuple]) -> pd.DataFrame:
    """A DataFrame of object columns, so integers stay Python ints next to ``None``."""
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, values)})


def _score_row(row) -> tuple:
    hcp_id, influence, tier, rank, components, rising, rising_score = row
    return (
        hcp_id,
        _float(influence),
        _int(tier),
        _int(rank),
        json.dumps(components or {}, default=_json_scalar),
        int(bool(rising)),
        _float(rising_score),
    )


def _int(value) -> int | None:
    return None if value is None else int(value)


def _float(value) -> float | None:
    return None if value is None else float(value)


def _json_scalar(value):
    """numpy scalars inside ``components`` as plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in score components")
