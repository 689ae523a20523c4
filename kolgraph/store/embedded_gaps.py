"""Coverage gaps and coverage on the embedded store (a mixin of ``EmbeddedStore``)."""

from __future__ import annotations


class EmbeddedGapQueries:
    """``coverage_gaps`` and ``coverage`` for :class:`~kolgraph.store.embedded.EmbeddedStore`."""
