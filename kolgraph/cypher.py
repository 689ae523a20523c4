"""The query catalog: named Cypher statements loaded from the ``kolgraph.queries`` package.

Every statement lives in its own file, ``verb_noun.cypher``, headed by two comment lines::

    // purpose: what the statement does
    // params: rows, pmids

A file is checked when it loads: the declared parameters must equal the ``$parameters``
the statement uses (``$`` inside string literals, quoted names and comments does not
count), and a file holds one statement.  A mismatch fails early with an error naming the
file, so a typo in a parameter cannot surface later as a silently empty result.

>>> catalog = QueryCatalog.from_package()
>>> "MERGE" in catalog.get("merge_hcps")
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kolgraph.errors import KolgraphError

QUERY_PACKAGE = "kolgraph.queries"
SUFFIX = ".cypher"

_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_HEADER = re.compile(r"^//\s*(purpose|params)\s*:(.*)$")
# Literals and comments, matched left to right so that "//" inside a string stays a string.
_NOT_CODE = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n]*|/\*.*?\*/""", re.DOTALL
)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryFileError(KolgraphError):
    """A shipped ``.cypher`` file is malformed (a bug in kolgraph, reported by file name)."""


@dataclass(frozen=True)
class Query:
    """One named statement with its declared purpose and parameters."""

    name: str
    purpose: str
    params: frozenset[str]
    text: str


def code_only(text: str) -> str:
    """``text`` with string literals, quoted names and comments blanked out.

    >>> code_only("RETURN '$x' AS a, $y // $z")
    'RETURN   AS a, $y  '
    """
    return _NOT_CODE.sub(" ", text)


def used_params(text: str) -> frozenset[str]:
    """The ``$parameters`` a statement uses, outside literals and comments.

    >>> sorted(used_params("UNWIND $rows AS row SET n.s = '$not' // $nor"))
    ['rows']
    """
    return frozenset(_PARAM.findall(code_only(text)))


def _headers(name: str, text: str) -> dict[str, str]:
    """The ``// purpose`` and ``// params`` header values; both are required."""
    found = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2).strip()
    missing = {"purpose", "params"} - found.keys()
    if missing:
        raise QueryFileError(
            f"{name}{SUFFIX}: missing header line(s) "
            + ", ".join(f"'// {m}: ...'" for m in sorted(missing))
        )
    return found


def _declared(value: str) -> frozenset[str]:
    """Parameter names from a ``// params:`` value (comma separated; may be empty)."""
    return frozenset(p.strip().lstrip("$") for p in value.split(",") if p.strip())


def parse_query(name: str, text: str) -> Query:
    """Check one file's text and return its :class:`Query`; raise :class:`QueryFileError`."""
    if not _NAME.match(name):
        raise QueryFileError(f"{name}{SUFFIX}: file names are verb_noun in snake_case")
    headers = _headers(name, text)
    declared, used = _declared(headers["params"]), used_params(text)
    problems = []
    if used - declared:
        problems.append("undeclared parameter(s) " + ", ".join(sorted(used - declared)))
    if declared - used:
        problems.append("declared but unused parameter(s) " + ", ".join(sorted(declared - used)))
    if ";" in code_only(text).strip().rstrip(";"):
        problems.append("more than one statement")
    if not code_only(text).strip():
        problems.append("no statement")
    if problems:
        raise QueryFileError(f"{name}{SUFFIX}: " + "; ".join(problems))
    return Query(name, headers["purpose"], declared, text.strip())


class QueryCatalog:
    """Named, checked queries, looked up with :meth:`get`."""

    def __init__(self, queries: dict[str, Query]):
        self._queries = dict(queries)

    @classmethod
    def from_package(cls, package: str = QUERY_PACKAGE) -> QueryCatalog:
        """Load and check every ``*.cypher`` file shipped in ``package``."""
        queries = {}
        for entry in resources.files(package).iterdir():
            if entry.name.endswith(SUFFIX):
                name = entry.name[: -len(SUFFIX)]
                queries[name] = parse_query(name, entry.read_text(encoding="utf-8"))
        return cls(queries)

    def get(self, name: str) -> str:
        """The text of the statement called ``name``."""
        return self.query(name).text

    def query(self, name: str) -> Query:
        """The :class:`Query` called ``name`` (text, purpose and parameters)."""
        try:
            return self._queries[name]
        except KeyError:
            raise QueryFileError(f"no query named {name!r} in the catalog") from None

    def names(self) -> list[str]:
        """Every query name, sorted."""
        return sorted(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries


@lru_cache(maxsize=1)
def default_catalog() -> QueryCatalog:
    """The catalog of the queries shipped with kolgraph (loaded and checked once)."""
    return QueryCatalog.from_package()
