"""The graph store interface: what every backend (embedded, neo4j) must do, identically.

A store speaks the product's language and returns plain Python / pandas values, never
driver records.  The contract suite in ``tests/store`` runs the same tests on every store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

import pandas as pd

from kolgraph.schema import Batch

#: Called with the number of rows just written, so a CLI can advance a progress bar.
Progress = Callable[[int], None]

#: Columns of the derived co-authorship table (one row per unordered pair, hcp_a < hcp_b).
COAUTHORSHIP_COLUMNS = ("hcp_a", "hcp_b", "papers", "first_year", "last_year")


def no_progress(_rows: int) -> None:
    """The default progress callback: report nothing."""


class GraphStore(ABC):
    """A persistent KOL graph.

    Derived data a store maintains on every :meth:`load`:

    * ``COAUTHORED_WITH``: exactly one edge per unordered pair of HCPs who share at least one
      publication, with ``papers`` (number of shared publications) and ``first_year`` /
      ``last_year`` (the years of the earliest and latest of them), always equal to a full
      recomputation over every ``AUTHORED`` relationship in the store.
    * ``AUTHORED.last_author``: true when the position is the highest position of that
      publication, over every authorship in the store.
    * ``HCP.name``: ``first_name last_name``.
    """

    #: Backend name, as given to ``--backend``.
    backend: str = ""

    @abstractmethod
    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table`` (e.g. ``"hcps"``)."""

    @abstractmethod
    def load(self, batch: Batch, progress: Progress = no_progress) -> None:
        """Upsert a validated batch by key, then refresh derived data.

        Each row replaces the stored properties of its key (a blank cell clears the
        property); properties not in the table (scores) are kept.  Loading the same batch
        twice changes nothing.
        """

    @abstractmethod
    def stats(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: count}, "relationships": {type: count}}`` for every label and type
        in :data:`kolgraph.schema.NODE_LABELS` / :data:`~kolgraph.schema.REL_TYPES` (zeros included)."""

    @abstractmethod
    def table(self, name: str) -> pd.DataFrame:
        """A whole stored table, with the canonical columns and kinds of ``kolgraph.schema``.

        ``name`` is a canonical table name, or ``"coauthorships"`` for the derived table with
        :data:`COAUTHORSHIP_COLUMNS`.  Rows are sorted by key.  ``hcps`` carries the derived
        ``name`` as a last column, ``authorships`` the derived ``last_author``.
        """

    @abstractmethod
    def write_scores(self, frame: pd.DataFrame) -> None:
        """Replace every HCP score, in one batch.

        ``frame`` has the columns of :data:`kolgraph.analytics.influence.SCORE_COLUMNS`:
        ``hcp_id, influence, tier, rank, components`` (dict), ``rising`` (bool), ``rising_score``.
        """

    @abstractmethod
    def scores(self) -> pd.DataFrame:
        """Every stored HCP score (the columns ``write_scores`` takes), sorted by ``hcp_id``."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
