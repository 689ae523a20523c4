"""The embedded store's statements (one ``sql/<name>.sql`` file each, found by name) and
their list parameters."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

from kolgraph.store.common import Fetch


@cache
def sql(name: str) -> str:
    """The statement in ``sql/<name>.sql`` (its first line says what it does)."""
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")


def names() -> list[str]:
    """Every statement name, sorted."""
    folder = resources.files(__package__).joinpath("sql")
    return sorted(e.name[: -len(".sql")] for e in folder.iterdir() if e.name.endswith(".sql"))


def json_list(values: Iterable[str]) -> str:
    """A list parameter as one JSON array, read with ``json_each``: one value where a
    list of placeholders would need thousands."""
    return json.dumps(list(values))


__all__ = ["Fetch", "json_list", "names", "sql"]
