"""Web app users: names, roles, territories and password hashes in ``home/users.sqlite3``.

The user store lives in the home folder whatever the graph backend, so an operator can
manage logins with ``kolgraph users ...`` even while the graph database is down.  Passwords
are hashed with :func:`werkzeug.security.generate_password_hash` (scrypt); the plain text
is never stored.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from kolgraph.errors import InputError, NotFoundError

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
)
"""


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
        """Delete a user; raises :class:`NotFoundError` when there is none of that name."""
        with self._connect() as db:
            if db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise NotFoundError(f"no user {name!r}")

    def _row(self, name: str) -> sqlite3.Row | None:
        with self._connect() as db:
            return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()

    @contextmanager
    def _connect(self):
        """A connection in a transaction (committed on success), closed afterwards."""
        _create_private(self.path)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            with db:
                db.execute(_SCHEMA)
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


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only: it holds password hashes."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


@functools.cache
def _dummy_hash() -> str:
    """Checked when a name is unknown, so a failed login costs the same for a missing user
    as for a wrong password (no user enumeration by timing)."""
    return generate_password_hash(secrets.token_hex(16))


def _user(row: sqlite3.Row) -> User:
    return User(row["name"], row["role"], row["territory"], row["created_at"], row["session_salt"])


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
