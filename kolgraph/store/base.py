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
    import networkx as nx

    from kolgraph.analytics.gaps import GapQuery
    from kolgraph.store.web_model import NetworkFilters
    from kolgraph.territories import Alignment

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

    @abstractmethod
    def coverage_gaps(self, query: GapQuery) -> list[dict]:
        """Influential HCPs never engaged, engaged too long ago, or with no MSL in their
        territory (with ``query.include_engaged``: every selected HCP), highest influence first."""

    @abstractmethod
    def coverage(self, as_of: date, stale_days: int, territory: str | None = None) -> dict:
        """Per territory and per MSL: tier 1-2 HCPs and the share engaged within the window."""

    @abstractmethod
    def coauthors(self, hcp_id: str) -> list[dict]:
        """An HCP's co-authors, most joint publications first."""

    @abstractmethod
    def suggest_collaborators(self, hcp_id: str, limit: int = 10) -> list[dict]:
        """People the HCP has not published with, best link-prediction score first."""

    @abstractmethod
    def shortest_path(self, from_id: str, to_id: str) -> dict | None:
        """The shortest co-authorship / shared-institution path, or ``None`` when none exists."""

    @abstractmethod
    def warm_intro(
        self, target_id: str, as_of: date, stale_days: int, territory: str | None = None
    ) -> dict | None:
        """The shortest path to the target from any HCP engaged within the window."""

    # --- what the web pages read (see kolgraph.store.web_model for the rules) --------------

    def search_hcps(
        self, text: str | None, territory: str | None = None, limit: int = 50
    ) -> list[dict]:
        """HCPs whose name, specialty, institution or MeSH topic contains ``text`` (any case;
        blank: every HCP), of ``territory`` when given, most influential first, at most
        ``limit``: :data:`~kolgraph.store.web_model.SEARCH_FIELDS`."""

    def top_hcps(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Scored HCPs by rank with the fields of ``kolgraph top``, reading only those returned."""

    def rising_stars(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Rising stars, fastest growth first (then rank), with the fields of
        ``kolgraph top --rising``, reading only those returned."""

    def hcp_profile(self, hcp_id: str) -> dict | None:
        """``{"hcp", "score", "affiliations", "publications", "trials", "touchpoints"}`` of one
        HCP (``score`` None when unscored), or None when there is no such HCP."""

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        """hcp_id -> territory, for the given ids that exist."""

    def network(self, kind: str, key: str, filters: NetworkFilters) -> nx.Graph:
        """The co-authorship network of an HCP (ego, ``filters.hops``), an institution or a
        territory, filtered; nodes keyed by hcp_id with the attributes the network views draw."""

    def recent_insights(self, territory: str | None = None, limit: int = 10) -> list[dict]:
        """The ``limit`` newest touchpoints with insight text from tier 1-2 HCPs (of
        ``territory`` when given), newest first, reading only those:
        :data:`~kolgraph.store.web_model.RECENT_INSIGHT_FIELDS`."""

    # --- territory alignment and CRM look-ups (see kolgraph.territories) --------------------

    def alignment(self) -> Alignment | None:
        """The stored territory alignment, or ``None`` when none was ever stored."""

    def set_alignment(self, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other) and re-align every stored HCP at once;
        later loads are aligned by it too.  Returns how many HCPs changed territory."""

    def hcp_places(self) -> pd.DataFrame:
        """Every HCP's place and territory, sorted by hcp_id:
        :data:`~kolgraph.territories.PLACE_COLUMNS` (``territory_aligned`` a bool)."""

    def known_territories(self) -> list[str]:
        """Every territory an HCP, an MSL or an alignment rule names, sorted."""

    def hcp_ids_by_npi(self, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> ids of the HCPs holding it (sorted), for the given NPIs some HCP holds."""

    def hcp_npis(self, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""

    def msl_ids_by_email(self) -> dict[str, list[str]]:
        """Lower-case e-mail -> ids of the MSLs with that e-mail, in any case."""

    def data_version(self) -> str | None:
        """A token that changes with every write to the stored data (None: the store cannot
        tell), so answers computed from the data can be reused while it is unchanged."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
