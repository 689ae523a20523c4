"""Settings from the environment and the command line.

Neo4j settings use the names every Neo4j tool uses (``NEO4J_URI``, ``NEO4J_USERNAME``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).  When no password is set, the one stored by
``kolgraph neo4j start`` for the local server is used.

``KOLGRAPH_COAUTHOR_MAX_AUTHORS`` sets the most authors a publication may have and still
make ``COAUTHORED_WITH`` pairs (default :data:`DEFAULT_COAUTHOR_MAX_AUTHORS`; see
``docs/influence.md``, "Hyperauthored papers").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kolgraph.errors import ConfigError

BACKENDS = ("embedded", "neo4j")
DEFAULT_HOME = Path(".kolgraph")
DEFAULT_NEO4J_URI = "neo4j://127.0.0.1:7687"
#: Most authors a publication may have and still make co-author pairs (docs/influence.md).
DEFAULT_COAUTHOR_MAX_AUTHORS = 100


def default_home() -> Path:
    """The state folder: ``KOLGRAPH_HOME`` or ``./.kolgraph``."""
    return Path(os.environ.get("KOLGRAPH_HOME") or DEFAULT_HOME)


def local_server_dir(home: Path) -> Path:
    """Where ``kolgraph neo4j start`` keeps the local server's data, logs and password."""
    return home / "neo4j-server"


def stored_password(server_dir: Path) -> str | None:
    """The password ``kolgraph neo4j start`` generated for a local server, if any."""
    path = server_dir / "password"
    return path.read_text().strip() if path.exists() else None


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach a Neo4j server."""

    uri: str = DEFAULT_NEO4J_URI
    username: str = "neo4j"
    password: str | None = None
    database: str = "neo4j"

    @classmethod
    def from_env(cls, home: Path) -> Neo4jSettings:
        env = os.environ
        return cls(
            uri=env.get("NEO4J_URI") or DEFAULT_NEO4J_URI,
            username=env.get("NEO4J_USERNAME") or "neo4j",
            password=env.get("NEO4J_PASSWORD") or stored_password(local_server_dir(home)),
            database=env.get("NEO4J_DATABASE") or "neo4j",
        )


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to open a store."""

    backend: str = "embedded"
    home: Path = DEFAULT_HOME
    neo4j: Neo4jSettings = field(default_factory=Neo4jSettings)
    coauthor_max_authors: int = DEFAULT_COAUTHOR_MAX_AUTHORS
    #: Whether a first load into the empty database of the local server may use
    #: ``neo4j-admin database import`` (``kolgraph load --no-import-tool``: never).
    import_tool: bool = True

    @classmethod
    def from_env(cls, backend: str | None = None, home: Path | None = None) -> Settings:
        home = Path(home) if home else default_home()
        backend = backend or os.environ.get("KOLGRAPH_BACKEND") or "embedded"
        if backend not in BACKENDS:
            raise ConfigError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        return cls(
            backend=backend,
            home=home,
            neo4j=Neo4jSettings.from_env(home),
            coauthor_max_authors=coauthor_max_authors(),
        )


def coauthor_max_authors() -> int:
    """``KOLGRAPH_COAUTHOR_MAX_AUTHORS`` (an integer >= 2), or the default when unset."""
    text = os.environ.get("KOLGRAPH_COAUTHOR_MAX_AUTHORS", "").strip()
    if not text:
        return DEFAULT_COAUTHOR_MAX_AUTHORS
    if not text.isdigit() or int(text) < 2:
        raise ConfigError(
            f"KOLGRAPH_COAUTHOR_MAX_AUTHORS must be a whole number >= 2 (got {text!r})"
        )
    return int(text)


#: What a yes/no setting (:func:`env_flag`) accepts, in any case.
FLAG_ON, FLAG_OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def env_flag(name: str, default: bool) -> bool:
    """A yes/no environment setting: 1/true/yes/on or 0/false/no/off, in any case; unset or
    blank is ``default``.  Anything else is a :class:`ConfigError` naming the setting, so a
    typo never silently turns a setting (such as secure cookies) off."""
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text not in FLAG_ON + FLAG_OFF:
        raise ConfigError(f"{name} must be 1 or 0 (got {text[:40]!r})")
    return text in FLAG_ON
