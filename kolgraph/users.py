"""Web app users: names, roles, territories and password hashes in ``home/users.sqlite3``.

The same file holds the users' login sessions (server-side: the session cookie carries only
a random id, stored here as a SHA-256 hash) and recent failed logins (for the lockout of
:mod:`kolgraph.web.auth`).  Removing a user or changing a password ends every session
of that user; a session also ends after :class:`SessionPolicy`'s absolute lifetime, or
when it has been idle longer than the idle timeout.

The user store lives in the home folder whatever the graph backend, so an operator can
manage logins with ``kolgraph users ...`` even while the graph database is down.  Passwords
are hashed with :func:`werkzeug.security.generate_password_hash` (scrypt); the plain text
is never stored.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from kolgraph.errors import InputError, NotFoundError
from kolgraph.private_files import create_private

ROLES = ("admin", "manager", "msl")
MIN_PASSWORD_LENGTH = 8
USERS_FILE = "users.sqlite3"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    territory TEXT,
    password_hash TEXT NOT NULL,
    session_salt TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    started REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_key ON login_failures (key, at);
"""
#: A session's ``seen`` time is written at most this often (seconds): not on every request.
SEEN_RESOLUTION = 60.0

#: The clock of sessions and failed logins (tests replace it to move time on).
clock = time.time


@dataclass(frozen=True)
class SessionPolicy:
    """How long a login session lasts: at most ``lifetime`` seconds after the login, and
    until it has been unused for ``idle`` seconds, whichever comes first."""

    lifetime: float = 12 * 3600.0
    idle: float = 3600.0


@dataclass(frozen=True)
class User:
    """A web app user (never carries the password hash)."""

    name: str
    role: str
    territory: str | None
    created_at: str
    #: Random per account: part of the login session id, so removing an account and
    #: re-adding the same name does not revive the old account's sessions.
    session_salt: str = ""

    @property
    def scope(self) -> str | None:
        """The only territory this user may see, or None for every territory."""
        return self.territory if self.role == "msl" else None

    def as_row(self) -> dict[str, str | None]:
        """The public fields, for ``users list`` and the admin pages."""
        return {
            "name": self.name,
            "role": self.role,
            "territory": self.territory,
            "created_at": self.created_at,
        }


class UserStore:
    """The users table of one home folder; each call opens and closes its own connection."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def for_home(cls, home: Path) -> UserStore:
        """The user store of a kolgraph home folder."""
        return cls(Path(home) / USERS_FILE)

    def check_new(self, name: str, role: str, territory: str | None = None) -> None:
        """Raise :class:`InputError` if :meth:`add` would refuse these fields or the name."""
        _check_user_fields(name, role, _blank_to_none(territory))
        if self._row(name) is not None:
            raise InputError(f"user {name!r} already exists")

    def add(self, name: str, password: str, role: str, territory: str | None = None) -> User:
        """Create a user; raises :class:`InputError` for a bad field or a taken name."""
        territory = _blank_to_none(territory)
        _check_user_fields(name, role, territory)
        check_password(password)
        user = User(name, role, territory, _now(), secrets.token_hex(8))
        with self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        role,
                        territory,
                        generate_password_hash(password),
                        user.session_salt,
                        user.created_at,
                    ),
                )
            except sqlite3.IntegrityError:
                raise InputError(f"user {name!r} already exists") from None
        return user

    def get(self, name: str) -> User | None:
        """The user called ``name``, or None."""
        row = self._row(name)
        return _user(row) if row else None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (same cost either way)."""
        row = self._row(name)
        ok = check_password_hash(row["password_hash"] if row else _dummy_hash(), password)
        return _user(row) if row and ok else None

    def list(self) -> list[User]:
        """Every user, sorted by name."""
        with self._connect() as db:
            return [_user(r) for r in db.execute("SELECT * FROM users ORDER BY name")]

    def remove(self, name: str) -> None:
        """Delete a user and end their sessions; :class:`NotFoundError` when there is none."""
        with self._connect() as db:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise NotFoundError(f"no user {name!r}")
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def set_password(self, name: str, password: str) -> None:
        """Change a user's password and end every session they have open."""
        check_password(password)
        with self._connect() as db:
            changed = db.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?",
                (generate_password_hash(password), name),
            )
            if changed.rowcount == 0:
                raise NotFoundError(f"no user {name!r}")
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    # --- sessions ------------------------------------------------------------------------

    def start_session(self, name: str, policy: SessionPolicy) -> str:
        """A new session id for user ``name`` (to put in the session cookie).

        Sessions past ``policy`` are deleted here, so abandoned ones do not pile up.
        """
        session_id = secrets.token_urlsafe(32)
        now = clock()
        with self._connect() as db:
            db.execute(
                "DELETE FROM sessions WHERE started < ? OR seen < ?",
                (now - policy.lifetime, now - policy.idle),
            )
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)", (_digest(session_id), name, now, now)
            )
        return session_id

    def session_user(self, session_id: str, policy: SessionPolicy) -> User | None:
        """The user of a live session, or None (unknown, ended, expired or idle too long).

        Expired sessions met here are deleted; the last-seen time moves on at most every
        :data:`SEEN_RESOLUTION` seconds.
        """
        now, key = clock(), _digest(session_id)
        with self._connect() as db:
            row = db.execute(
                "SELECT s.started, s.seen, u.* FROM sessions AS s "
                "JOIN users AS u ON u.name = s.user WHERE s.id_hash = ?",
                (key,),
            ).fetchone()
            if row is None:
                return None
            if now - row["started"] > policy.lifetime or now - row["seen"] > policy.idle:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))
                return None
            if now - row["seen"] >= SEEN_RESOLUTION:
                db.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
            return _user(row)

    def end_session(self, session_id: str) -> None:
        """End one session (logout); a saved copy of its cookie no longer logs anyone in."""
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_digest(session_id),))

    def end_sessions(self, name: str) -> int:
        """End every session of user ``name``; returns how many there were."""
        with self._connect() as db:
            return db.execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount

    # --- failed logins -------------------------------------------------------------------

    def record_failure(self, keys: Sequence[str], window: float) -> dict[str, tuple[int, float]]:
        """Record a failed login for each key (``user:NAME``, ``client:ADDRESS``); returns
        each key's failures within the last ``window`` seconds, as (count, last time).

        Failures older than the window are forgotten here, so the table stays small.
        """
        now = clock()
        with self._connect() as db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (now - window,))
            db.executemany("INSERT INTO login_failures VALUES (?, ?)", [(k, now) for k in keys])
            return self._failures(db, keys, now - window)

    def failures(self, keys: Sequence[str], window: float) -> dict[str, tuple[int, float]]:
        """Each key's failed logins within the last ``window`` seconds: (count, last time)."""
        with self._connect() as db:
            return self._failures(db, keys, clock() - window)

    def clear_failures(self, keys: Sequence[str]) -> None:
        """Forget the failed logins of ``keys`` (after a successful login)."""
        with self._connect() as db:
            db.executemany("DELETE FROM login_failures WHERE key = ?", [(k,) for k in keys])

    @staticmethod
    def _failures(db, keys: Sequence[str], since: float) -> dict[str, tuple[int, float]]:
        found = {}
        for key in keys:
            count, last = db.execute(
                "SELECT COUNT(*), MAX(at) FROM login_failures WHERE key = ? AND at >= ?",
                (key, since),
            ).fetchone()
            found[key] = (count, last or 0.0)
        return found

    def _row(self, name: str) -> sqlite3.Row | None:
        with self._connect() as db:
            return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()

    @contextmanager
    def _connect(self):
        """A connection in a transaction (committed on success), closed afterwards."""
        create_private(self.path)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            with db:
                if _needs_schema(db):
                    db.executescript(_SCHEMA)
                yield db


def check_password(password: str) -> None:
    """Refuse empty or short passwords with a clear message."""
    if not password:
        raise InputError("the password is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password is too short: at least {MIN_PASSWORD_LENGTH} characters")


def _check_user_fields(name: str, role: str, territory: str | None) -> None:
    if not _NAME.fullmatch(name or ""):
        raise InputError(f"invalid user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == "msl" and not territory:
        raise InputError("an msl user needs --territory")
    if role != "msl" and territory:
        raise InputError(f"--territory applies to msl users only; a {role} sees every territory")


def _blank_to_none(text: str | None) -> str | None:
    return (text or "").strip() or None


def _needs_schema(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
        "AND name IN ('users', 'sessions', 'login_failures')"
    ).fetchone()[0]
    return found < 3


def _digest(session_id: str) -> str:
    """What is stored of a session id: a copy of the users file gives no live session."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@functools.cache
def _dummy_hash() -> str:
    """Checked when a name is unknown, so a failed login costs the same for a missing user
    as for a wrong password (no user enumeration by timing)."""
    return generate_password_hash(secrets.token_hex(16))


def _user(row: sqlite3.Row) -> User:
    return User(row["name"], row["role"], row["territory"], row["created_at"], row["session_salt"])


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
