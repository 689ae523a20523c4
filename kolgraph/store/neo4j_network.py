"""Co-authors, suggestions, paths and warm introductions on Neo4j (a mixin of ``Neo4jStore``)."""

from __future__ import annotations


class Neo4jNetworkQueries:
    """``coauthors``, ``suggest_collaborators``, ``shortest_path``, ``warm_intro`` for
    :class:`~kolgraph.store.neo4j.Neo4jStore`."""
