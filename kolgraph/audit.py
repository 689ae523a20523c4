"""The audit log: who did what, when, to how many rows (``home/audit.sqlite3``).

Exports, loads and logins are recorded.  The CLI calls :func:`record_cli` (the user is then
the operating-system account); web views record through :mod:`kolgraph.web.audit`, which also
shows the newest entries to admins.  No Flask here: the CLI imports this module.
"""

from __future__ import annotations

import getpass
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from kolgraph.private_files import create_private

AUDIT_FILE = "audit.sqlite3"
COLUMNS = ("at", "user", "via", "action", "what", "rows")
PAGE_SIZE = 200
#: The most characters of a user name or a "what" stored in one entry (longer ones are cut).
MAX_TEXT = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    via TEXT NOT NULL,
    action TEXT NOT NULL,
    what TEXT NOT NULL,
    rows INTEGER NOT NULL
)
"""


def record_cli(action: str, what: str, rows: int, home: Path) -> None:
    """Record a command-line action (e.g. ``kolgraph load``) as the operating-system user."""
    write(home, os_user(), "cli", action, what, rows)


def write(home: Path, user: str, via: str, action: str, what: str, rows: int) -> None:
    """Append an entry: ``user`` did ``action`` on ``what`` (``rows`` rows) through ``via``."""
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    with _connect(home) as db:
        db.execute(
            "INSERT INTO audit (at, user, via, action, what, rows) VALUES (?, ?, ?, ?, ?, ?)",
            (at, bounded(user), via, action, bounded(what), int(rows)),
        )


def bounded(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` without control or format characters (newlines, NUL, bidi overrides), cut
    to ``limit`` characters: what a client typed is stored, but cannot forge or flood entries."""
    kept = "".join(c for c in text[: limit * 4] if unicodedata.category(c)[0] != "C")
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def recent(home: Path, limit: int = PAGE_SIZE) -> list[dict]:
    """The newest ``limit`` entries, newest first."""
    with _connect(home) as db:
        cursor = db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [dict(row) for row in cursor]


@contextmanager
def _connect(home: Path) -> Iterator[sqlite3.Connection]:
    """A connection in a transaction (committed on success), closed afterwards."""
    path = Path(home) / AUDIT_FILE
    create_private(path)
    with closing(sqlite3.connect(path, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        with db:
            db.execute(_SCHEMA)
            yield db


def os_user() -> str:
    """The operating-system account running the command (``unknown`` when it has none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"
