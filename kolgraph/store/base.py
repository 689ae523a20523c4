"""The graph store interface: what every backend (embedded, neo4j) must do, identically.

A store speaks the product's language and returns plain Python / pandas values, never
driver records.  The contract suite in ``tests/store`` runs the same tests on every store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from kolgraph.schema import Batch

if TYPE_CHECKING:
    from kolgraph.analytics.gaps import GapQuery

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

    # --- the questions users ask (same answers on every store) ----------------------------

    def coverage_gaps(self, query: "GapQuery") -> list[dict]:
        """Influential HCPs never engaged, engaged too long ago, or with no MSL in their
        territory (with ``query.include_engaged``: every selected HCP), highest influence first."""

    def coverage(self, as_of: date, stale_days: int, territory: str | None = None) -> dict:
        """Per territory and per MSL: tier 1-2 HCPs and the share engaged within the window."""

    def coauthors(self, hcp_id: str) -> list[dict]:
        """An HCP's co-authors, most joint publications first."""

    def suggest_collaborators(self, hcp_id: str, limit: int = 10) -> list[dict]:
        """People the HCP has not published with, best link-prediction score first."""

    def shortest_path(self, from_id: str, to_id: str) -> dict | None:
        """The shortest co-authorship / shared-institution path, or ``None`` when none exists."""

    def warm_intro(self, target_id: str, as_of: date, stale_days: int,
                   territory: str | None = None) -> dict | None:
        """The shortest path to the target from any HCP engaged within the window."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
