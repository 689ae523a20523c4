"""Coverage gaps and coverage on Neo4j (a mixin of ``Neo4jStore``)."""

from __future__ import annotations


class Neo4jGapQueries:
    """``coverage_gaps`` and ``coverage`` for :class:`~kolgraph.store.neo4j.Neo4jStore`."""
