"""The package exception hierarchy.

The CLI and the web app turn every :class:`KolgraphError` into one clear message;
anything else is a bug and may show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class KolgraphError(Exception):
    """Base class for every error kolgraph reports to a user."""


class ConfigError(KolgraphError):
    """Settings are missing or contradictory."""


class InputError(KolgraphError):
    """A file or argument given by the user cannot be used."""


class NotFoundError(KolgraphError):
    """A requested entity (HCP, MSL, ...) does not exist."""


class StoreUnavailable(KolgraphError):
    """The graph store cannot be reached (server down, wrong credentials, locked file)."""


class Neo4jServerError(KolgraphError):
    """The local Neo4j server could not be fetched, started or stopped."""


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, reported as ``file:line: column: message``."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class ValidationFailed(InputError):
    """A load was rejected; carries every problem found, nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was written")

    def report(self) -> str:
        """Every problem on its own line, followed by the summary."""
        return "\n".join([*map(str, self.problems), str(self)])
