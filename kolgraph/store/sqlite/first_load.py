"""A first load written beside the store's file, then renamed into its place.

A store that holds no data yet loses nothing if its first load fails, so that load need not
pay for crash safety as later ones do: in WAL mode every page of a load is written twice
(into the log, then into the file at the checkpoint), 3 GB at L.  Instead it goes into a new
file with no journal and no syncs, which one ``fsync`` makes durable before it is renamed over
the store's file.  A failure, or a crash before the rename, leaves the store as it was (a
crash also leaves the half-written file, which the next opening of the store removes).  What
the empty store did hold (territory rules, steward corrections, score history, its version
counter) is copied into the new file first.

Taken only when this connection is the file's only one, which switching the file out of WAL
proves (SQLite refuses while another connection has it open).  A server or another process
with the store open makes the load take the usual way.  From that switch to the rename the
file is locked exclusively: another process waits for it as for any load's lock, and one
still holding the replaced file cannot write to it (SQLite refuses writes to a moved file;
:meth:`EmbeddedStore.transaction` says so first).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kolgraph.private_files import create_private
from kolgraph.schema import TABLES
from kolgraph.store.sqlite import store_state

#: Suffix of the file a first load writes beside the store's.
ASIDE_SUFFIX = ".first-load"
#: Tables not copied into the new file: the touchpoint deltas describe the replaced file's
#: own writes, by its version numbers.
_NOT_COPIED = frozenset({"touch_deltas", "store_version"})
#: Files SQLite keeps beside a database.
_SIDE_FILES = ("-journal", "-wal", "-shm")


@contextmanager
def written_aside(
    con: sqlite3.Connection, path: Path, create_layout: Callable[[sqlite3.Connection], None]
) -> Iterator[sqlite3.Connection | None]:
    """A connection to a new file for the first load into the store at ``path`` (whose open
    connection is ``con``), in a transaction; the file replaces the store's when the block
    ends without an exception.  None when the store holds data or another connection has it
    open: the caller then loads the usual way.  ``create_layout`` makes the new file's tables.
    """
    if not holds_no_data(con) or not _sole_connection(con):
        yield None
        return
    replaced = False
    try:
        con.execute("PRAGMA locking_mode = EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")  # in exclusive locking mode, kept after the COMMIT
        con.execute("COMMIT")
        if not holds_no_data(con):  # written by another process before the lock was taken
            yield None
            return
        aside = path.with_name(path.name + ASIDE_SUFFIX)
        new = _unjournaled(aside, create_layout)
        try:
            _copy_kept_tables(con, new)
            new.execute("BEGIN")
            yield new
            store_state.bump(new)
            new.execute("COMMIT")
            new.execute("PRAGMA journal_mode = WAL")  # the store's mode, kept in the file
            new.close()
            _durably_replace(aside, path)
            replaced = True
        except BaseException:
            new.close()
            _remove(aside)
            raise
    finally:
        if not replaced:
            _back_to_wal(con)


def remove_leftover(path: Path) -> None:
    """Remove what a first load into the store at ``path`` left when it crashed (called on
    finding the store's file out of WAL mode: a first load still running would hold it)."""
    _remove(path.with_name(path.name + ASIDE_SUFFIX))


def holds_no_data(con: sqlite3.Connection) -> bool:
    """Whether every canonical table of the file is empty."""
    return not any(
        con.execute(f"SELECT EXISTS (SELECT 1 FROM {table.name})").fetchone()[0] for table in TABLES
    )


def _sole_connection(con: sqlite3.Connection) -> bool:
    """Switch the file out of WAL, which SQLite allows only to the file's sole connection;
    whether it did (at once: no waiting for other connections to close)."""
    timeout = con.execute("PRAGMA busy_timeout").fetchone()[0]
    con.execute("PRAGMA busy_timeout = 0")
    try:
        mode = con.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        mode = "wal"  # busy: another connection has the file open
    finally:
        con.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    return mode == "delete"


def _back_to_wal(con: sqlite3.Connection) -> None:
    """Release the exclusive lock and put the file back in WAL mode."""
    con.execute("PRAGMA locking_mode = NORMAL")
    con.execute("SELECT 1 FROM sqlite_schema LIMIT 1")  # releases the lock (SQLite's rule)
    con.execute("PRAGMA journal_mode = WAL")


def _unjournaled(
    aside: Path, create_layout: Callable[[sqlite3.Connection], None]
) -> sqlite3.Connection:
    """A new file at ``aside`` with the store's layout, written with no journal and no syncs
    (the rename makes it the store only once it is whole and synced)."""
    _remove(aside)  # left by a first load that crashed
    create_private(aside)
    new = sqlite3.connect(aside, isolation_level=None)
    try:
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "foreign_keys = OFF",
            # Pages are written once and read back only by the index builds: a small cache
            # spills them to the file, and the index sorts to temporary files, both held by
            # the OS page cache rather than this process's heap beside the loaded batch.
            "cache_size = -16384",
            "temp_store = FILE",
        ):
            new.execute(f"PRAGMA {pragma}")
        create_layout(new)
    except BaseException:
        new.close()
        _remove(aside)
        raise
    return new


def _copy_kept_tables(con: sqlite3.Connection, new: sqlite3.Connection) -> None:
    """Copy every row of the store's file (its canonical tables are empty) into the new
    file, by column name; the new file's version counter continues the store's (its stamp
    and epoch are its own)."""
    new.execute("BEGIN")
    for (table,) in new.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    ).fetchall():
        if table in _NOT_COPIED:
            continue
        columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
        if not columns:  # a table the older file lacks
            continue
        listed = ", ".join(columns)
        rows = con.execute(f"SELECT {listed} FROM {table}").fetchall()
        if rows:
            new.executemany(
                f"INSERT OR REPLACE INTO {table} ({listed}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                rows,
            )
    (version,) = con.execute("SELECT version FROM store_version").fetchone()
    new.execute("UPDATE store_version SET version = ?", (version,))
    new.execute("COMMIT")


def _durably_replace(aside: Path, path: Path) -> None:
    """Sync ``aside``, rename it over ``path``, and sync the folder (so the rename lasts)."""
    _fsync(aside, os.O_RDONLY)
    os.replace(aside, path)
    _fsync(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _fsync(path: Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(aside: Path) -> None:
    for name in (aside.name, *(aside.name + side for side in _SIDE_FILES)):
        with suppress(FileNotFoundError):
            (aside.parent / name).unlink()
