"""The graph store: one interface, every question answered once over a backend's reads.

A backend (``store/sqlite``, ``store/neo4j``) implements the write side of
:class:`GraphStore` and a :class:`GraphReads`: a small set of read primitives that fetch
rows and speak no rule.  :class:`GraphStore` answers every question from those primitives
with the rules of :mod:`kolgraph.answers`, so both stores give identical answers; the
contract suite in ``tests/store`` runs the same tests on each.

A store speaks the product's language and returns plain Python / pandas values, never
driver records.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from kolgraph import corrections as correction_rules
from kolgraph import cross_source
from kolgraph.answers import browse, network
from kolgraph.answers import changes as change_rules
from kolgraph.answers import identity as identity_rules
from kolgraph.answers.changes import History
from kolgraph.answers.gaps import (
    COVERAGE_MAX_TIER,
    DEFAULT_STALE_DAYS,
    GapQuery,
    add_reach,
    by_territory,
    check_window,
    current_institution,
    engaged_since,
    finish_coverage,
)
from kolgraph.answers.gaps import coverage_by_state as state_coverage
from kolgraph.answers.gaps import coverage_by_zip3 as zip3_coverage
from kolgraph.answers.gaps import finish_gaps as finish_gap_rows
from kolgraph.answers.network import HopFacts, Neighbourhood, Node
from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.collector import cyclic_gc_paused
from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS
from kolgraph.corrections import Correction
from kolgraph.errors import InputError, NotFoundError
from kolgraph.schema import TABLES_BY_NAME, Batch
from kolgraph.store import identity_review
from kolgraph.store.common import (
    PROJECTION_TABLES,
    Affiliation,
    Place,
    by_hcp,
    decode_components,
    tables_around,
)

if TYPE_CHECKING:
    import networkx as nx

    from kolgraph.answers.browse import InsightNarrowing, NetworkFilters
    from kolgraph.config import Settings
    from kolgraph.store.reach_arrays import WindowReach
    from kolgraph.territories import Alignment

#: Called with the number of rows just written, so a CLI can advance a progress bar.
Progress = Callable[[int], None]
#: An engagement window for introductions: ``since``, ``as_of`` (YYYY-MM-DD), ``territory``.
Window = dict[str, str | None]
#: Co-author edges as ``(hcp_a, hcp_b, papers)``.
Edges = list[tuple[str, str, int]]


#: Tables scores are computed from: loading rows into one makes the stored scores stale.
SCORED_TABLES = frozenset(
    ("hcps", "publications", "authorships", "trials", "trial_roles", "affiliations", "institutions")
)
STALE_SCORES_MESSAGE = "scores are out of date, run `kolgraph score`"


def changes_scores(batch: Batch) -> bool:
    """Whether loading ``batch`` changes what the scores are computed from."""
    return any(len(batch[name]) for name in SCORED_TABLES if name in batch)


def no_progress(_rows: int) -> None:
    """The default progress callback: report nothing."""


class GraphReads(Protocol):
    """The read primitives of a backend: rows as stored, no rules, nothing decided.

    Rows are dicts of plain values; a score's components come as the stored JSON text
    ``components_json``.  ``None`` for "no such HCP / institution" where noted.
    """

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        """hcp_id -> territory, for the given ids that exist."""
        ...

    def current_affiliations(self, hcp_ids: list[str]) -> list[Affiliation]:
        """The affiliations without an end year of the given HCPs."""
        ...

    def hcp_places(self, hcp_ids: list[str]) -> dict[str, Place]:
        """hcp_id -> (country, state, postal_code), for the given HCPs."""
        ...

    def identity_rows(self, hcp_ids: list[str] | None) -> list[Sequence]:
        """What an identity review reads of each HCP: the columns of
        :data:`~kolgraph.answers.identity.INDEX_COLUMNS`, then the influence, in id order;
        of every HCP when ``hcp_ids`` is None."""
        ...

    def slot_holders(self, pmids: list[str]) -> dict[tuple[str, int], str]:
        """(pmid, position) -> the HCP holding that author slot, for the given papers."""
        ...

    def entity_rows(self, table: str, keys: list[str]) -> list[Sequence]:
        """The stored row of each given key of entity table ``table`` (``hcps``,
        ``institutions``) that exists: its columns in schema order, ``None`` when missing."""
        ...

    def affiliation_places(self, hcp_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        """hcp_id -> (institution id, city) of each affiliation, current or past, of the
        given HCPs that have any."""
        ...

    def link_fields(self) -> list[Sequence]:
        """What one person across sources compares of every HCP: the columns of
        :data:`kolgraph.cross_source.COLUMNS`, rows in no particular order."""
        ...

    def link_keys(self, table: str, hcp_ids: list[str]) -> set[tuple[str, str]]:
        """(hcp_id, the other end's key) of every stored row of link table ``table``
        (``authorships``, ``affiliations`` or ``trial_roles``) of the given HCPs."""
        ...

    def search_rows(self, text: str, territory: str | None, limit: int) -> list[dict]:
        """HCPs matching ``text`` (see :mod:`kolgraph.answers.browse`): at least the best
        ``limit`` of them, with the search fields but ``institution``."""
        ...

    def top_rows(self, limit: int, territory: str | None) -> list[dict]:
        """The ``limit`` scored HCPs of best rank, with :data:`browse.TOP_FIELDS`."""
        ...

    def rising_rows(self, limit: int, territory: str | None) -> list[dict]:
        """The ``limit`` fastest-rising HCPs, with :data:`browse.RISING_FIELDS`."""
        ...

    def profile_parts(self, hcp_id: str, latest: int | None = None) -> dict | None:
        """``hcp, score, affiliations, publications, publication_count, trials,
        touchpoints`` of one HCP; with ``latest``, only that many of its publications, the
        latest (year, then pmid)."""
        ...

    def institution_members(self, institution_id: str) -> list[str] | None:
        """The HCPs currently affiliated with the institution (None: no such institution)."""
        ...

    def territory_members(self, territory: str) -> list[str]:
        """The HCPs of the territory."""
        ...

    def coauthor_edges(self, hcp_ids: list[str], min_papers: int) -> Edges:
        """Co-authorships with ``papers >= min_papers`` touching any of the HCPs."""
        ...

    def coauthor_numbers(self, hcp_ids: list[str]) -> CoauthorEdges:
        """Every co-authorship touching any of the HCPs, in numbers."""
        ...

    def coauthor_edges_among(self, hcp_ids: list[str], min_papers: int) -> Edges:
        """Co-authorships with ``papers >= min_papers`` between two of the HCPs."""
        ...

    def coauthor_edges_through(self, hcp_id: str, others: list[str]) -> Edges:
        """The HCP's co-authorships, and those between one of ``others`` and a co-author of
        the HCP: all a search for co-authors in common with it needs."""
        ...

    def network_nodes(self, hcp_ids: list[str], as_of: str) -> list[dict]:
        """``hcp_id, name, specialty, territory, tier, influence, last_touch`` (up to as_of)."""
        ...

    def recent_insight_rows(
        self, territory: str | None, limit: int, through: str | None = None
    ) -> list[dict]:
        """The ``limit`` newest touchpoints with insight text (dated through ``through`` when
        given), :data:`RECENT_INSIGHT_FIELDS`."""
        ...

    def gap_candidates(self, query: GapQuery) -> tuple[list[dict], list[dict]]:
        """Rows that may be gaps (:func:`kolgraph.answers.gaps.finish_gaps` fields but
        ``institution``) and every MSL's ``msl_id`` and ``territory``."""
        ...

    def coverage_counts(
        self, as_of: date, stale_days: int, territory: str | None
    ) -> tuple[dict[str | None, tuple[int, int]], list[dict], dict[str, int]]:
        """What :func:`kolgraph.answers.gaps.finish_coverage` takes."""
        ...

    def coauthor_rows(self, hcp_id: str) -> list[dict]:
        """``hcp_id, name, joint_publications, last_year`` of each co-author."""
        ...

    def neighbourhood(self, hcp_id: str, limit: int) -> Neighbourhood | None:
        """What the top ``limit`` suggestions read around an HCP (None: no such HCP)."""
        ...

    def hcp_details(self, hcp_ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        """hcp_id -> (name, MeSH topics over all the HCP's publications)."""
        ...

    def expand(
        self, nodes: list[Node], window: Window | None
    ) -> tuple[dict[Node, list[Node]], dict[str, str]]:
        """Each node's neighbours in the path graph, and (with a window) those neighbour
        HCPs engaged in it: hcp_id -> last touch."""
        ...

    def engaged(self, hcp_ids: list[str], window: Window) -> dict[str, str]:
        """hcp_id -> last touch, for the given HCPs engaged in the window."""
        ...

    def hop_facts(self, path: list[Node]) -> HopFacts:
        """The names and co-authorship numbers a path's hops show."""
        ...

    def score_runs(self) -> list[tuple[int, str]]:
        """Every kept scoring run as ``(run_id, scored_on)``, newest first."""
        ...

    def score_run(self, run_id: int) -> dict[str, tuple[int, bool]]:
        """One scoring run's kept tiers: hcp_id -> (tier, rising)."""
        ...

    def coverage_days(self, territory: str | None) -> list[dict]:
        """Every kept coverage day: ``day, territory, tier12_hcps, engaged``."""
        ...

    def insight_counts(self, after: str, through: str, territory: str | None) -> dict:
        """Touchpoints with insight text dated after ``after`` through ``through``, per
        category (None for none), of the territory's HCPs when given."""
        ...

    def insights_by_month(
        self, territory: str | None, narrowing: InsightNarrowing
    ) -> list[Sequence]:
        """Touchpoints with insight text about the territory's HCPs (when given) that
        ``narrowing`` keeps, counted by :data:`~kolgraph.analytics.insights.GROUP_COLUMNS`:
        rows of those values and a count."""
        ...

    def scored_tiers(self) -> list[int]:
        """Every tier some HCP's score has, in order."""
        ...

    def insight_notes(self, territory: str | None, narrowing: InsightNarrowing) -> list[Sequence]:
        """:data:`~kolgraph.analytics.insights.NOTE_COLUMNS` of the touchpoints with insight
        text about the territory's HCPs (when given) that ``narrowing`` keeps, in no order."""
        ...

    def window_reach(self, since: str, as_of: str) -> WindowReach:
        """Reach (:class:`~kolgraph.store.reach_arrays.WindowReach`) from the HCPs with a
        touchpoint dated from ``since`` through ``as_of``, kept per window and data."""
        ...

    def msl_hop_counts(
        self, targets: dict[str, list[str]], since: str, as_of: str
    ) -> dict[str, dict[int | None, int]]:
        """Per MSL of ``targets`` (msl_id -> hcp ids), how many targets are 0, 1 or 2 hops
        (None: farther) from the HCPs that MSL touched from ``since`` through ``as_of`` (hops
        as in :meth:`window_reach`)."""
        ...


class GraphStore(ABC):
    """A persistent KOL graph.

    Derived data a store maintains on every :meth:`load`:

    * ``COAUTHORED_WITH``: exactly one edge per unordered pair of HCPs who share at least one
      *linking* publication, with ``papers`` (number of shared linking publications) and
      ``first_year`` / ``last_year`` (the years of the earliest and latest of them), always
      equal to a full recomputation over every ``AUTHORED`` relationship in the store.  A
      publication links its authors when it has at most :attr:`coauthor_max_authors`
      ``AUTHORED`` relationships in the store; a hyperauthored (consortium) paper above the
      cap keeps every authorship but makes no pair, so pairs grow with authorships, not with
      their square (``docs/influence.md``, "Hyperauthored papers").
    * ``AUTHORED.last_author``: true when the position is the highest position of that
      publication, over every authorship in the store.
    * ``HCP.name``: ``first_name last_name``.
    """

    #: Backend name, as given to ``--backend``.
    backend: str = ""
    #: Most authors a publication may have and still make co-author pairs (set per store;
    #: ``KOLGRAPH_COAUTHOR_MAX_AUTHORS``).  Stored pairs follow the cap in force when the
    #: publication was last loaded.
    coauthor_max_authors: int = DEFAULT_COAUTHOR_MAX_AUTHORS

    @classmethod
    @abstractmethod
    def open(cls, settings: Settings, *, create: bool = False) -> GraphStore:
        """The store the settings name, opened (StoreUnavailable when it cannot be).

        A store that lives in a file is created only with ``create`` (``kolgraph init``
        and ``load``): a missing one is StoreUnavailable, never a new empty store."""

    @property
    @abstractmethod
    def reads(self) -> GraphReads:
        """The backend's read primitives."""

    # --- the write side and whole tables --------------------------------------------------

    @abstractmethod
    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table`` (e.g. ``"hcps"``)."""

    def link_keys(self, table: str, hcp_ids: Iterable[str]) -> set[tuple[str, str]]:
        """(hcp_id, the other end's key) of every stored row of link table ``table``
        (``authorships``, ``affiliations``, ``trial_roles``) of the given HCPs: read by
        HCP, not the whole table."""
        wanted = list(dict.fromkeys(hcp_ids))
        return self.reads.link_keys(table, wanted) if wanted else set()

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
    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole stored table, with the canonical columns and kinds of ``kolgraph.schema``.

        ``name`` is a canonical table name, or ``"coauthorships"`` for the derived table with
        :data:`~kolgraph.schema.COAUTHORSHIP_COLUMNS`.  Rows are sorted by key.  ``hcps``
        carries the derived ``name`` as a last column, ``authorships`` the derived ``last_author``.
        ``columns`` keeps only those (in that order): what is not asked for is not read.
        """

    def coauthor_edges(self) -> CoauthorEdges | None:
        """The co-author graph in numbers when this store keeps it so (scoring then reads
        no ``coauthorships`` rows); None otherwise."""
        return None

    def authorship_numbers(self) -> AuthorshipNumbers | None:
        """Every authorship in numbers when this store keeps them so (scoring then reads no
        ``authorships`` or ``publications`` rows); None otherwise."""
        return None

    def tables_around(self, hcp_id: str) -> dict[str, pd.DataFrame]:
        """Every table of a :class:`~kolgraph.analytics.projection.Projection`, restricted
        to what one HCP's explanation reads (:func:`~kolgraph.store.common.tables_around`);
        a store may read only those rows."""
        return tables_around({name: self.table(name) for name in PROJECTION_TABLES}, hcp_id)

    @abstractmethod
    def write_scores(self, frame: pd.DataFrame, seen: int | None = None) -> None:
        """Replace every HCP score, in one batch (:data:`~kolgraph.schema.SCORE_COLUMNS`).
        ``seen``: :meth:`stale_marks` when the scores were computed from the data (read
        before it): a load or correction since then leaves the new scores stale (None: all
        marks seen)."""

    @abstractmethod
    def scores(self) -> pd.DataFrame:
        """Every stored HCP score (the columns ``write_scores`` takes), sorted by ``hcp_id``."""

    @abstractmethod
    def influences(self) -> dict[str, float]:
        """hcp_id -> influence of every scored HCP (what :meth:`scores` holds, without the
        components to decode)."""

    def scores_stale(self) -> bool:
        """Whether a load or correction changed what scores are computed from after the
        data the stored scores were computed from (a load killed before its scoring,
        interrupted scoring, or a write while scoring ran)."""
        return self.stale_marks() > 0

    @abstractmethod
    def stale_marks(self) -> int:
        """How many writes changed what scores are computed from since the data of the
        stored scores (0: they are up to date)."""

    @abstractmethod
    def save_history(
        self,
        scored_on: str,
        tiers: dict[str, tuple[int, bool]],
        coverage: list[dict],
        keep: History,
    ) -> None:
        """Keep a scoring run's tiers and the day's coverage per territory (``territory,
        tier12_hcps, engaged``, replacing that day's), dropping what ``keep`` no longer
        holds: runs beyond the newest ``keep.runs``, days older than ``keep.days``."""

    @abstractmethod
    def data_version(self) -> str | None:
        """A token that changes with every write to the stored data, so answers computed
        from the data can be reused while it is unchanged (None: the store cannot tell,
        and nothing is reused)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    #: Whether one open store may serve several threads at once (a web server keeps one
    #: per process; it holds a connection pool, which must not cross a fork); otherwise
    #: each thread opens its own.
    thread_safe: bool = False

    def keep_snapshots(self) -> None:
        """For a long-running server: keep whole-table snapshots in memory and up to date
        where the store has them (the embedded store's gaps and coverage); else nothing."""
        return None

    def hand_down_caches(self) -> None:
        """Leave this store's in-memory caches to the store a process forked after it opens
        (a thread-safe store: its connections must not cross a fork, so workers open their
        own); else nothing."""
        return None

    def prepare_reads(self) -> None:
        """Write what one-off questions read for the current data (the embedded store's
        path graph arrays), so the first question after a load does not; else nothing."""
        return None

    def is_current(self) -> bool:
        """Whether this open store still reads the database its settings name (an embedded
        file replaced by a restored backup is another database)."""
        return True

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the questions users ask (same answers on every store) ----------------------------

    def coverage_gaps(self, query: GapQuery) -> list[dict]:
        """Influential HCPs never engaged, engaged too long ago, or with no MSL in their
        territory (with ``query.include_engaged``: every selected HCP), highest influence first.
        Tens of thousands of rows at L, made with the cyclic collector paused (it would walk
        them again and again as they grow: two thirds of the time of finishing them)."""
        with cyclic_gc_paused():
            rows, msls = self.reads.gap_candidates(query)
            if query.state:
                places = self.reads.hcp_places([r["hcp_id"] for r in rows])
                rows = [r for r in rows if places[r["hcp_id"]][1] == query.state]
            if query.with_institution:
                current = self._current_affiliations([r["hcp_id"] for r in rows])
                for row in rows:
                    row["institution"] = current_institution(current.get(row["hcp_id"], ()))
            answer = finish_gap_rows(rows, msls, query)
            self._add_reach(answer, query)
        return answer

    def _add_reach(self, rows: list[dict], query: GapQuery) -> None:
        """Set each gap row's ``reach_hops`` and ``reach_via``
        (:meth:`~kolgraph.store.reach_arrays.WindowReach.reach`)."""
        since, as_of = network.engagement_window(query.as_of, query.stale_days)
        engaged = [(r["last_touch"] or "") >= since for r in rows]
        reach = self.reads.window_reach(since, as_of)
        hops, vias = reach.reach([r["hcp_id"] for r in rows], engaged)
        for row, hop, via in zip(rows, hops, vias):
            row["reach_hops"] = hop
            row["reach_via"] = via

    def coverage(
        self, as_of: date, stale_days: int, territory: str | None = None, *, reach: bool = False
    ) -> dict:
        """Per territory and per MSL: tier 1-2 HCPs and the share engaged within the window;
        with ``reach``, how many of the others are one, two or more hops from an engaged one
        (:data:`~kolgraph.answers.gaps.REACH_FIELDS`; for an MSL, from one it engaged)."""
        check_window(as_of, stale_days)
        counts, msls, engaged = self.reads.coverage_counts(as_of, stale_days, territory)
        answer = finish_coverage(counts, msls, engaged, territory)
        if not reach:
            return answer
        everyone = GapQuery(
            max_tier=COVERAGE_MAX_TIER,
            territory=territory,
            as_of=as_of,
            stale_days=stale_days,
            include_engaged=True,
        )
        rows = self.coverage_gaps(everyone)
        since, until = network.engagement_window(as_of, stale_days)
        territories = by_territory(rows, "hcp_id")
        targets = {m["msl_id"]: territories.get(m["territory"], []) for m in answer["msls"]}
        return add_reach(answer, rows, self.reads.msl_hop_counts(targets, since, until))

    def coverage_by_state(
        self, as_of: date, stale_days: int, territory: str | None = None
    ) -> list[dict]:
        """Tier 1-2 HCPs and the share engaged within the window, per state
        (:data:`~kolgraph.answers.gaps.STATE_FIELDS`), for the coverage map."""
        rows, places = self._tier12_places(as_of, stale_days, territory)
        states = {hcp_id: state for hcp_id, (_country, state, _postal) in places.items()}
        return state_coverage(rows, states, engaged_since(as_of, stale_days))

    def coverage_by_zip3(
        self, as_of: date, stale_days: int, territory: str | None = None
    ) -> list[dict]:
        """Tier 1-2 HCPs and the share engaged within the window, per three-digit ZIP prefix
        that the stored territory alignment names (:data:`~kolgraph.answers.gaps.ZIP3_FIELDS`;
        none without such rules), for the coverage map's detail."""
        alignment = self.alignment()
        zip3s = alignment.zip3s() if alignment else frozenset()
        if not zip3s:
            return []
        rows, places = self._tier12_places(as_of, stale_days, territory)
        return zip3_coverage(rows, places, zip3s, engaged_since(as_of, stale_days))

    def _tier12_places(
        self, as_of: date, stale_days: int, territory: str | None
    ) -> tuple[list[dict], dict[str, Place]]:
        """Gap rows of every tier 1-2 HCP (engaged ones included), and their places."""
        query = GapQuery(
            max_tier=COVERAGE_MAX_TIER,
            territory=territory,
            as_of=as_of,
            stale_days=stale_days,
            include_engaged=True,
        )
        rows, msls = self.reads.gap_candidates(query)
        rows = finish_gap_rows(rows, msls, query)
        return rows, self.reads.hcp_places([r["hcp_id"] for r in rows])

    def coauthors(self, hcp_id: str) -> list[dict]:
        """An HCP's co-authors, most joint publications first (then latest year, hcp_id)."""
        network.require_hcps([hcp_id], self._known)
        return network.sort_coauthors(self.reads.coauthor_rows(hcp_id))

    def suggest_collaborators(self, hcp_id: str, limit: int = 10) -> list[dict]:
        """People the HCP has not published with, best link-prediction score first."""
        network.check_limit(limit)
        around = self.reads.neighbourhood(hcp_id, limit)
        if around is None:
            raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
        return network.suggest(around, self.reads.hcp_details, limit)

    def shortest_path(self, from_id: str, to_id: str) -> dict | None:
        """The shortest co-authorship / current-institution path, or ``None`` when none exists."""
        return network.path_between(
            from_id,
            to_id,
            known=self._known,
            expand=lambda nodes: self.reads.expand(nodes, None)[0],
            hop_facts=self.reads.hop_facts,
        )

    def warm_intro(
        self, target_id: str, as_of: date, stale_days: int, territory: str | None = None
    ) -> dict | None:
        """The shortest path to the target from any HCP engaged within the window."""
        since, until = network.engagement_window(as_of, stale_days)
        layer = _EngagedLayer(self.reads, {"since": since, "as_of": until, "territory": territory})
        return network.intro_to(
            target_id,
            known=self._known,
            expand=layer.expand,
            engaged=layer.engaged,
            hop_facts=self.reads.hop_facts,
        )

    # --- history (rules in kolgraph.answers.changes) ---------------------------------------

    def record_history(
        self, scored_on: date, keep: History, scores: pd.DataFrame | None = None
    ) -> None:
        """Keep the stored scores (or ``scores``, the ones just written: no need to read them
        back) as a scoring run of ``scored_on``, and that day's coverage."""
        coverage = self.coverage(scored_on, DEFAULT_STALE_DAYS)["territories"]
        rows = [
            {k: t[k] for k in ("territory", "tier12_hcps", "engaged")}
            for t in coverage
            if t["tier12_hcps"]
        ]
        scores = self.scores() if scores is None else scores
        columns = ("hcp_id", "tier", "rising")  # the records, without DataFrame.to_dict's cost
        values = zip(*(scores[c].tolist() for c in columns))
        tiers = change_rules.run_tiers(dict(zip(columns, row)) for row in values)
        self.save_history(scored_on.isoformat(), tiers, rows, keep)

    def changes(
        self,
        since: date,
        today: date,
        stale_days: int = DEFAULT_STALE_DAYS,
        territory: str | None = None,
    ) -> dict:
        """What changed from ``since`` to ``today`` (see :mod:`kolgraph.answers.changes`):
        ``{"since", "compared_run", "changes", "new_insights", "coverage_by_quarter"}``."""
        change_rules.check_since(since, today)
        # Newest first by date (a run may be recorded for an earlier day after later ones).
        runs = sorted(self.reads.score_runs(), key=lambda run: (run[1], run[0]), reverse=True)
        before = next(((i, d) for i, d in runs if d <= since.isoformat()), None)
        if before is None:
            oldest = runs[-1][1] if runs else None
            raise InputError(
                f"no scoring run is kept from {since.isoformat()} or before"
                + (f"; the oldest is from {oldest}" if oldest else "; none is kept yet")
            )
        rows: list[tuple] = list(
            change_rules.tier_changes(
                self.reads.score_run(before[0]), self.reads.score_run(runs[0][0])
            )
        )
        then, now = (
            self.coverage_gaps(
                GapQuery(
                    max_tier=COVERAGE_MAX_TIER,
                    territory=territory,
                    stale_days=stale_days,
                    as_of=day,
                    include_engaged=True,
                )
            )
            for day in (since, today)
        )
        decayed = change_rules.decayed(
            then, now, engaged_since(since, stale_days), engaged_since(today, stale_days)
        )
        rows += [("coverage decay", h, None, None) for h in decayed]
        return {
            "since": since.isoformat(),
            "compared_run": {"run_id": before[0], "scored_on": before[1]},
            "changes": self._change_rows(rows, today, territory),
            "new_insights": self._new_insights(since, today, territory),
            "coverage_by_quarter": self.coverage_history(territory),
        }

    def history_start(self) -> date | None:
        """The date of the oldest kept scoring run (None: none kept yet)."""
        days = [day for _run, day in self.reads.score_runs()]
        return date.fromisoformat(min(days)) if days else None

    def coverage_history(self, territory: str | None = None) -> list[dict]:
        """Tier 1-2 coverage per territory and quarter, from the kept coverage days."""
        return change_rules.coverage_by_quarter(self.reads.coverage_days(territory))

    def _change_rows(self, rows: list[tuple], today: date, territory: str | None) -> list[dict]:
        nodes = {
            r["hcp_id"]: r
            for r in self.reads.network_nodes(sorted({r[1] for r in rows}), today.isoformat())
        }
        answer = [
            {
                "change": kind,
                "hcp_id": hcp_id,
                "name": nodes.get(hcp_id, {}).get("name"),
                "territory": nodes.get(hcp_id, {}).get("territory"),
                "before": old,
                "after": new,
            }
            for kind, hcp_id, old, new in rows
        ]
        kept = [r for r in answer if territory is None or r["territory"] == territory]
        return sorted(
            kept, key=lambda r: (change_rules.CHANGE_KINDS.index(r["change"]), r["hcp_id"])
        )

    def _new_insights(self, since: date, today: date, territory: str | None) -> dict[str, int]:
        counts = self.reads.insight_counts(since.isoformat(), today.isoformat(), territory)
        return {
            (c or change_rules.NO_CATEGORY): int(n)
            for c, n in sorted(counts.items(), key=lambda kv: kv[0] or "")
        }

    # --- what the pages read (rules in kolgraph.answers.browse) ---------------------------

    def search_hcps(
        self, text: str | None, territory: str | None = None, limit: int = 50
    ) -> list[dict]:
        """HCPs whose name, specialty, institution or MeSH topic contains ``text`` (any case;
        blank: every HCP), of ``territory`` when given, most influential first, at most
        ``limit``: :data:`~kolgraph.answers.browse.SEARCH_FIELDS`."""
        text = browse.check_search(text, limit)
        best = browse.best_matches(self.reads.search_rows(text, territory, limit), limit)
        current = self._current_affiliations([r["hcp_id"] for r in best])
        return [browse.search_row(r, current.get(r["hcp_id"], [])) for r in best]

    def top_hcps(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Scored HCPs by rank with the fields of ``kolgraph top``, reading only those returned."""
        rows = self.reads.top_rows(max(limit, 0), territory)
        return browse.finish_top([decode_components(r) for r in rows], limit)

    def rising_stars(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Rising stars, fastest growth first (then rank), with the fields of
        ``kolgraph top --rising``, reading only those returned."""
        rows = self.reads.rising_rows(max(limit, 0), territory)
        return browse.finish_rising([decode_components(r) for r in rows], limit)

    def hcp_profile(self, hcp_id: str, latest: int | None = None) -> dict | None:
        """``{"hcp", "score", "affiliations", "publications", "publication_count", "trials",
        "touchpoints"}`` of one HCP (``score`` None when unscored), or None when there is no
        such HCP.  ``latest``: only the latest publications, that many (the top HCPs have
        hundreds; a profile page shows ten)."""
        parts = self.reads.profile_parts(hcp_id, latest)
        if parts is None:
            return None
        score = parts["score"] and decode_components(dict(parts["score"]))
        return browse.finish_profile(
            parts["hcp"],
            score,
            parts["affiliations"],
            parts["publications"],
            parts["trials"],
            parts["touchpoints"],
            publication_count=parts["publication_count"],
        )

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        """hcp_id -> territory, for the given ids that exist."""
        return self.reads.hcp_territories(list(hcp_ids))

    def network(self, kind: str, key: str, filters: NetworkFilters) -> nx.Graph:
        """The co-authorship network of an HCP (ego, ``filters.hops``), an institution or a
        territory, filtered; nodes keyed by hcp_id with the attributes the network views draw."""
        return browse.assemble_network(
            kind,
            key,
            filters,
            members=self._members,
            neighbours=self.reads.coauthor_edges,
            node_rows=self._network_nodes,
            edges_among=self.reads.coauthor_edges_among,
        )

    def recent_insights(
        self,
        territory: str | None = None,
        limit: int = 10,
        narrowing: browse.InsightNarrowing | None = None,
    ) -> list[dict]:
        """The ``limit`` newest touchpoints with insight text from tier 1-2 HCPs (of
        ``territory`` when given, of those ``narrowing`` keeps), newest first, reading only
        those: :data:`~kolgraph.answers.browse.RECENT_INSIGHT_FIELDS`."""
        through = narrowing.as_of if narrowing else None

        def fetch(n: int) -> list[dict]:
            return self.reads.recent_insight_rows(territory, n, through)

        return browse.recent_insights(fetch, territory, limit, narrowing)

    def insights_by_month(
        self, territory: str | None = None, narrowing: browse.InsightNarrowing | None = None
    ) -> list[Sequence]:
        """Touchpoints with insight text about the territory's HCPs (when given) that
        ``narrowing`` keeps, counted in the store by
        :data:`~kolgraph.analytics.insights.GROUP_COLUMNS`: rows of those values and a count."""
        return self.reads.insights_by_month(territory, narrowing or browse.InsightNarrowing())

    def scored_tiers(self) -> list[int]:
        """Every tier some HCP's score has, in order (an index read, not the scores)."""
        return self.reads.scored_tiers()

    def insight_notes(
        self, territory: str | None = None, narrowing: browse.InsightNarrowing | None = None
    ) -> list[Sequence]:
        """:data:`~kolgraph.analytics.insights.NOTE_COLUMNS` of the touchpoints with insight
        text about the territory's HCPs (when given) that ``narrowing`` keeps, in no order:
        what themes read, instead of whole tables."""
        return self.reads.insight_notes(territory, narrowing or browse.InsightNarrowing())

    # --- territory alignment and CRM look-ups (see kolgraph.territories) --------------------

    @abstractmethod
    def alignment(self) -> Alignment | None:
        """The stored territory alignment, or ``None`` when none was ever stored."""

    @abstractmethod
    def set_alignment(self, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other) and re-align every stored HCP at once;
        later loads are aligned by it too.  Returns how many HCPs changed territory."""

    @abstractmethod
    def hcp_places(self) -> pd.DataFrame:
        """Every HCP's place and territory, sorted by hcp_id:
        :data:`~kolgraph.territories.PLACE_COLUMNS` (``territory_aligned`` a bool)."""

    @abstractmethod
    def known_territories(self) -> list[str]:
        """Every territory an HCP, an MSL or an alignment rule names, sorted."""

    @abstractmethod
    def hcp_ids_by_npi(self, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> ids of the HCPs holding it (sorted), for the given NPIs some HCP holds."""

    @abstractmethod
    def hcp_npis(self, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""

    @abstractmethod
    def msl_ids_by_email(self) -> dict[str, list[str]]:
        """Lower-case e-mail -> ids of the MSLs with that e-mail, in any case."""

    # --- steward corrections (rules in kolgraph.corrections and kolgraph.answers.identity) ---

    @abstractmethod
    def corrections(self) -> list[Correction]:
        """Every stored steward correction, oldest first."""

    @abstractmethod
    def apply_merge(self, correction: Correction) -> None:
        """Fold HCP ``correction.other_id`` into ``correction.hcp_id`` and keep the record:
        its affiliations, authorships, trial roles and touchpoints move (a link the kept HCP
        already has stays as it is), the kept HCP takes ``correction.fields``, the folded
        HCP and its score go; co-authorships and last authors are recounted and the scores
        flagged stale.  The record and the moves are one transaction."""

    @abstractmethod
    def apply_split(self, correction: Correction, hcp: dict) -> None:
        """Create HCP ``hcp`` (``correction.other_id``) and move to it the authorships of
        ``correction.pmids`` held by ``correction.hcp_id``, keeping the record (one
        transaction); co-authorships are recounted and the scores flagged stale."""

    def merge_hcps(self, keep_id: str, other_id: str, steward: str = "") -> Correction:
        """Fold HCP ``other_id`` into ``keep_id`` (see :meth:`apply_merge`); later loads keep
        it (:func:`kolgraph.corrections.replay`).  Bad input changes nothing."""
        correction_rules.check_distinct(keep_id, other_id)
        keep, other = self._parts(keep_id), self._parts(other_id)
        correction_rules.check_merge(keep["hcp"], other["hcp"])
        papers = other["publications"]
        record = Correction(
            self._next_correction_id(),
            correction_rules.MERGE,
            keep_id,
            other_id,
            pmids=tuple(sorted({p["pmid"] for p in papers})),
            slots=tuple(sorted(correction_rules.slot(p["pmid"], p["position"]) for p in papers)),
            fields=correction_rules.filled_fields(keep["hcp"], other["hcp"]),
            steward=steward,
            recorded_at=correction_rules.now(),
        )
        self.apply_merge(record)
        return record

    def split_hcp(self, hcp_id: str, pmids: str | list[str], steward: str = "") -> Correction:
        """Make the authorships of ``pmids`` (PMIDs the HCP authored, not all of them) a new
        HCP named as ``hcp_id`` is; later loads keep the split.  Bad input changes nothing."""
        wanted = correction_rules.parse_pmids(pmids)
        parts = self._parts(hcp_id)
        positions = correction_rules.check_split(hcp_id, parts, wanted)
        new_id = correction_rules.split_id(hcp_id, wanted, lambda i: bool(self._known([i])))
        record = Correction(
            self._next_correction_id(),
            correction_rules.SPLIT,
            hcp_id,
            new_id,
            pmids=wanted,
            slots=tuple(correction_rules.slot(p, positions[p]) for p in wanted),
            steward=steward,
            recorded_at=correction_rules.now(),
        )
        self.apply_split(record, correction_rules.split_hcp_row(parts["hcp"], new_id))
        return record

    @abstractmethod
    def corrected_since(self, version: str) -> list[str] | None:
        """The HCPs of the steward corrections made since :meth:`data_version` ``version``
        when those are the only writes since that changed an HCP or a link (writes of
        touchpoints, MSLs or trials aside): ``[]`` when there were none; None when another
        write came between (a load, a rescore) or the store cannot tell (notes of it gone,
        another database or file)."""

    def identity_index(self) -> identity_rules.IdentityIndex:
        """What a review reads of every HCP (a whole-table read: the web app keeps one per
        data version, and mends it after steward corrections: :meth:`mended_identity_index`)."""
        with cyclic_gc_paused():
            return identity_rules.IdentityIndex.of_rows(self.reads.identity_rows(None))

    def mended_identity_index(
        self, index: identity_rules.IdentityIndex, corrected: list[str]
    ) -> identity_rules.IdentityIndex:
        """``index`` after steward corrections of ``corrected`` (:meth:`corrected_since`)."""
        return index.mended(self.reads.identity_rows(corrected), corrected)

    def identity_review(
        self,
        evidence: list[dict],
        limit: int | None = 50,
        hcp_id: str | None = None,
        index: identity_rules.IdentityIndex | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[dict]:
        """Likely duplicates and shaky merges (:mod:`kolgraph.answers.identity`), most
        influential first, each with its evidence (``evidence``: the recorded identity
        evidence rows); every row when ``limit`` is None.  With ``hcp_id``: only those about
        that HCP.  ``index``: a kept :meth:`identity_index` (read now when not given).
        ``progress(done, total)``: HCPs of name blocks compared so far, after each batch."""
        if limit is not None:
            network.check_limit(limit)
        index = index or self.identity_index()
        done = self.corrections()
        rows = identity_review.review_rows(
            self.reads, evidence, index, done, hcp_id, progress, limit
        )
        return identity_rules.most_influential_first(rows, index.influence, limit)

    def mended_identity_review(
        self,
        rows: list[dict],
        corrected: list[str],
        evidence: list[dict],
        index: identity_rules.IdentityIndex,
    ) -> list[dict]:
        """A whole review (:meth:`identity_review` with no limit, of an earlier data
        version) after steward corrections of ``corrected`` (:meth:`corrected_since`): the
        rows they may have changed computed again, the rest kept
        (:func:`.identity_review.mended_rows`); ``index``: the identity index of now."""
        done = self.corrections()
        mended = identity_review.mended_rows(self.reads, rows, corrected, evidence, index, done)
        return identity_rules.most_influential_first(mended, index.influence, None)

    def slot_holders(self, pmids: list[str]) -> dict[tuple[str, int], str]:
        """(pmid, position) -> the HCP holding that author slot, for the given papers (the
        PubMed reader keeps a re-resolved person's stored id)."""
        return self.reads.slot_holders(pmids) if pmids else {}

    def stored_rows(self, table: str, keys: list[str]) -> dict[str, dict[str, str]]:
        """key -> the stored fields ("" when missing) of each given key of entity table
        ``table`` that exists: what a source load keeps where it gives nothing
        (:func:`kolgraph.loading.keep_stored_fields`)."""
        rows = self.reads.entity_rows(table, keys) if keys else []
        columns = TABLES_BY_NAME[table].column_names
        return {
            row[0]: {c: "" if v is None else str(v) for c, v in zip(columns, row)} for row in rows
        }

    def source_links(self, touched: Iterable[str] | None = None) -> list[cross_source.Link]:
        """The HCPs that other sources made of one person with an HCP of ``touched`` (every
        HCP when None), each a link folding ``other_id`` into ``keep_id``
        (:mod:`kolgraph.cross_source`); nothing is changed."""
        wanted = None if touched is None else set(touched)
        hcps = cross_source.candidates(self.reads.link_fields(), wanted)
        mates = cross_source.name_candidates(hcps, wanted)
        places = self.reads.affiliation_places(sorted(mates)) if mates else {}
        apart = [
            frozenset((c.hcp_id, c.other_id))
            for c in self.corrections()
            if c.kind == correction_rules.SPLIT
        ]
        return cross_source.find_links(hcps, places, wanted, apart)

    def link_sources(
        self, touched: Iterable[str] | None = None
    ) -> list[tuple[cross_source.Link, Correction]]:
        """Make each of :meth:`source_links` with :meth:`merge_hcps` (so later loads keep
        it); returns each link with its merge record."""
        return [
            (link, self.merge_hcps(link.keep_id, link.other_id, cross_source.STEWARD))
            for link in self.source_links(touched)
        ]

    def merged_ids(self) -> dict[str, str]:
        """Each HCP id a steward merged away -> the id it is now."""
        return correction_rules.merged_into(self.corrections())

    def _parts(self, hcp_id: str) -> dict:
        """The HCP's profile parts (NotFoundError when there is no such HCP)."""
        parts = self.reads.profile_parts(hcp_id)
        if parts is None:
            raise NotFoundError(f"unknown HCP {hcp_id}")
        return parts

    def _next_correction_id(self) -> int:
        """One more than the newest record's (two stewards at once: the store's key refuses
        the second, nothing is applied twice)."""
        return max((c.correction_id for c in self.corrections()), default=0) + 1

    # --- helpers of the questions -----------------------------------------------------------

    def _known(self, ids: list[str]) -> set[str]:
        return self.existing_keys("hcps", ids)

    def _current_affiliations(self, hcp_ids: list[str]) -> dict[str, list[tuple]]:
        return by_hcp(self.reads.current_affiliations(hcp_ids)) if hcp_ids else {}

    def _members(self, kind: str, key: str) -> list[str] | None:
        if kind == "hcp":
            return [key] if self.hcp_territories([key]) else None
        if kind == "institution":
            return self.reads.institution_members(key)
        return self.reads.territory_members(key)

    def _network_nodes(self, ids: list[str], as_of: str) -> list[dict]:
        current = self._current_affiliations(ids)
        rows = self.reads.network_nodes(ids, as_of)
        return [{**row, "affiliations": current.get(row["hcp_id"], [])} for row in rows]


class _EngagedLayer:
    """``expand`` and ``engaged`` for one warm-introduction search, sharing round trips.

    :func:`network.nearest_source_path` asks ``engaged`` about the layer ``expand`` just
    returned; every HCP of that layer is a neighbour of the expanded frontier, whose engaged
    neighbours the expansion already reported.  Other ids (the target) are read.
    """

    def __init__(self, reads: GraphReads, window: Window):
        self._reads = reads
        self._window = window
        self._checked: set[str] = set()
        self._found: dict[str, str] = {}

    def expand(self, nodes: list[Node]) -> dict[Node, list[Node]]:
        neighbours, self._found = self._reads.expand(nodes, self._window)
        self._checked = {n.id for found in neighbours.values() for n in found if n.kind == "hcp"}
        return neighbours

    def engaged(self, ids: list[str]) -> dict[str, str]:
        if self._checked.issuperset(ids):
            return {i: self._found[i] for i in ids if i in self._found}
        return self._reads.engaged(ids, self._window)
