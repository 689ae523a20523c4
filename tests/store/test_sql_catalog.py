"""The embedded store's statement files: each one used by name, each name a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kolgraph.store.sqlite import catalog

SOURCE = Path(catalog.__file__).parent
#: The embedded store's modules, and the gaps snapshot, search index and statement names it
#: shares with Neo4j.
MODULES = [
    *SOURCE.glob("*.py"),
    SOURCE.parent / "gap_snapshot.py",
    SOURCE.parent / "search_index.py",
    SOURCE.parent / "common.py",
]
#: How the store's code names a statement: a quoted snake_case literal.
_LITERAL = re.compile(r"""["']([a-z][a-z0-9]*(?:_[a-z0-9]+)+)["']""")


def literals() -> set[str]:
    return {m for f in MODULES for m in _LITERAL.findall(f.read_text("utf-8"))}


@pytest.mark.parametrize("name", catalog.names())
def test_every_statement_file_is_used_by_its_literal_name(name):
    assert name in literals(), f"sql/{name}.sql is used nowhere in {SOURCE}"


@pytest.mark.parametrize("name", catalog.names())
def test_every_statement_file_says_what_it_does_in_one_line(name):
    first = catalog.sql(name).splitlines()[0]
    assert first.startswith("-- ") and len(first) <= 200


def test_a_name_the_code_asks_for_is_a_file():
    asked = set(
        re.findall(
            r"""(?:sql|select|records|_rows|_records|fetch)\(\s*"(\w+)\"""",
            "\n".join(f.read_text("utf-8") for f in MODULES),
        )
    )
    assert asked and asked <= set(catalog.names())
