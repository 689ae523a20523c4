"""Co-authors, suggestions, paths and warm introductions on the embedded store (a mixin)."""

from __future__ import annotations


class EmbeddedNetworkQueries:
    """``coauthors``, ``suggest_collaborators``, ``shortest_path``, ``warm_intro`` for
    :class:`~kolgraph.store.embedded.EmbeddedStore`."""
