"""The audit log: who did what, when, to how many rows (``home/audit.sqlite3``).

Exports, loads and logins are recorded.  Web views call :func:`record`; the CLI calls
:func:`record_cli` (the user is then the operating-system account).  Admins read the newest
entries at ``/admin/audit`` and ``/api/v1/audit``.
"""

from __future__ import annotations

import getpass
import sqlite3
import unicodedata
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from kolgraph.web.security import require_role

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

bp = Blueprint("audit", __name__)


def record(action: str, what: str, rows: int) -> None:
    """Record an action of the logged-in web user (e.g. ``record("export", "gaps.csv", 120)``)."""
    name = current_user.name if current_user.is_authenticated else "(anonymous)"
    record_as(name, action, what, rows)


def record_as(user: str, action: str, what: str, rows: int) -> None:
    """Record a web action on behalf of ``user`` (e.g. a failed login, before anyone is logged in)."""
    _write(current_app.config["KOLGRAPH_SETTINGS"].home, user, "web", action, what, rows)


def record_cli(action: str, what: str, rows: int, home: Path) -> None:
    """Record a command-line action (e.g. ``kolgraph load``) as the operating-system user."""
    _write(home, _os_user(), "cli", action, what, rows)


def recent(home: Path, limit: int = PAGE_SIZE) -> list[dict]:
    """The newest ``limit`` entries, newest first."""
    with _connect(home) as db:
        cursor = db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [dict(row) for row in cursor]


@bp.get("/admin/audit")
@require_role("admin")
def audit_page():
    """The newest audit entries (admins only)."""
    return render_template("audit/index.html", entries=recent(_home(), _limit()), columns=COLUMNS)


@bp.get("/api/v1/audit")
@require_role("admin")
def audit_api():
    """The newest audit entries as JSON (admins only)."""
    return jsonify(recent(_home(), _limit()))


def bounded(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` without control or format characters (newlines, NUL, bidi overrides), cut
    to ``limit`` characters: what a client typed is stored, but cannot forge or flood entries."""
    kept = "".join(c for c in text[: limit * 4] if unicodedata.category(c)[0] != "C")
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def _write(home: Path, user: str, via: str, action: str, what: str, rows: int) -> None:
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    with _connect(home) as db:
        db.execute(
            "INSERT INTO audit (at, user, via, action, what, rows) VALUES (?, ?, ?, ?, ?, ?)",
            (at, bounded(user), via, action, bounded(what), int(rows)),
        )


@contextmanager
def _connect(home: Path):
    """A connection in a transaction (committed on success), closed afterwards."""
    path = Path(home) / AUDIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        with db:
            db.execute(_SCHEMA)
            yield db


def _home() -> Path:
    return current_app.config["KOLGRAPH_SETTINGS"].home


def _limit() -> int:
    return max(1, min(request.args.get("limit", PAGE_SIZE, type=int), 5000))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"
