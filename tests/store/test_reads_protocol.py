"""Every backend implements every read primitive of GraphReads, with the same parameters."""

from __future__ import annotations

import inspect

import pytest

from kolgraph.store.base import GraphReads
from kolgraph.store.neo4j.reads import Neo4jReads
from kolgraph.store.sqlite.reads import SqliteReads

PRIMITIVES = sorted(
    name
    for name, _ in inspect.getmembers(GraphReads, inspect.isfunction)
    if not name.startswith("_")
)


def test_the_protocol_names_the_primitives_the_questions_use():
    assert {"gap_candidates", "expand", "window_reach", "profile_parts"} <= set(PRIMITIVES)


@pytest.mark.parametrize("reads", [SqliteReads, Neo4jReads])
@pytest.mark.parametrize("name", PRIMITIVES)
def test_a_backend_implements_each_primitive_with_its_parameters(reads, name):
    implemented = getattr(reads, name, None)
    assert implemented is not None, f"{reads.__name__} lacks {name}"
    expected = list(inspect.signature(getattr(GraphReads, name)).parameters)
    assert list(inspect.signature(implemented).parameters) == expected
