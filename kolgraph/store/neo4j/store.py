"""The Neo4j store: the KOL graph in a real Neo4j server, through the official driver.

The driver is passed in (:meth:`Neo4jStore.connect` builds one from settings for the CLI);
every statement is a parameterized ``.cypher`` file from :mod:`kolgraph.cypher`.  Loads are
batched ``UNWIND $rows ... MERGE`` statements, each in a managed write transaction, so a
batch the driver retries after a transient failure gives the same result; two sessions
write at once, never touching the same nodes at the same time (:mod:`.bulk`).

Loads are in :mod:`.load`, the read primitives in :mod:`.reads`.  The database keeps a
schema version (a ``KolgraphSchema`` node); :meth:`Neo4jStore.migrate` brings an older
database up to :data:`SCHEMA_VERSION` by the steps of :data:`MIGRATIONS`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import pandas as pd
from neo4j import Driver, GraphDatabase, NotificationDisabledCategory, Session
from neo4j.api import BookmarkManager
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ServiceUnavailable,
    SessionExpired,
)

from kolgraph import territories
from kolgraph.answers.changes import History
from kolgraph.collector import cyclic_gc_paused
from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS, Neo4jSettings, Settings
from kolgraph.corrections import Correction, from_row
from kolgraph.cypher import QueryCatalog, default_catalog
from kolgraph.errors import ConfigError, StoreUnavailable
from kolgraph.schema import (
    COAUTHORSHIP_COLUMNS,
    HCPS,
    NODE_LABELS,
    REL_TYPES,
    TABLES_BY_NAME,
    Batch,
)
from kolgraph.store.base import GraphStore, Progress, changes_scores, no_progress
from kolgraph.store.common import Fetch, entity_table, object_frame, score_frame, score_rows
from kolgraph.store.neo4j import first_load, load
from kolgraph.store.neo4j.bulk import WRITERS, Job, chunks, run_jobs
from kolgraph.store.neo4j.reads import Neo4jReads
from kolgraph.store.neo4j.territories import places_frame, territory_rows
from kolgraph.territories import Alignment

#: Rows per write transaction: big enough to amortize round trips, small enough for the heap.
BATCH_SIZE = 10_000
#: HCPs per co-authorship refresh transaction (each brings ~40 pairs, counted from both ends).
COAUTHOR_BATCH_SIZE = 1_000
#: The schema version this module writes and reads.
SCHEMA_VERSION = 2
#: What brings a database of version ``n - 1`` to ``n`` (each step idempotent).
T = TypeVar("T")
MIGRATIONS: dict[int, Callable[[Neo4jStore], None]] = {}

#: Derived columns :meth:`Neo4jStore.table` appends, as the embedded store does.
DERIVED = {"hcps": ("name",), "authorships": ("last_author",)}
#: The statements of the entity tables: key constraint, key look-up.
KEY_QUERIES = {
    "hcps": ("create_hcp_key_constraint", "match_hcp_keys"),
    "institutions": ("create_institution_key_constraint", "match_institution_keys"),
    "publications": ("create_publication_key_constraint", "match_publication_keys"),
    "trials": ("create_trial_key_constraint", "match_trial_keys"),
    "msls": ("create_msl_key_constraint", "match_msl_keys"),
    "touchpoints": ("create_touchpoint_key_constraint", "match_touchpoint_keys"),
}
INDEX_QUERIES = (
    "create_data_version_key_constraint",
    "create_hcp_rank_index",
    "create_hcp_territory_index",
    "create_hcp_tier_index",
    "create_hcp_npi_index",
    "create_hcp_touch_seq_index",
    "create_touchpoint_date_index",
)
#: Schema statements a database gets from a migration step (:data:`MIGRATIONS`); a database
#: written whole at :data:`SCHEMA_VERSION` (the import tool's first load) runs them directly.
MIGRATED_SCHEMA_QUERIES = ("create_identity_correction_key_constraint",)
#: Writes that rewrite the touchpoints of the HCPs of their ``rows``: every write of
#: touchpoints ends with these for the HCPs it touched, and the transaction's version bump
#: stamps those HCPs (``touch_seq``), which is how a snapshot learns whom to read again.
TOUCH_DATE_QUERIES = frozenset({"refresh_touch_dates", "set_touch_dates"})
#: Writes that leave every HCP's name, territory, specialty and scores, every co-authorship
#: and current affiliation as they were: a server's gaps snapshot behind only such writes is
#: followed (the touches of the HCPs they stamped read again, :meth:`Neo4jStore.snapshot`),
#: not read whole (13 s at L).
HCP_NEUTRAL_QUERIES = TOUCH_DATE_QUERIES | {
    "create_touchpoints",
    "merge_touchpoints",
    "create_msls",
    "merge_msls",
    "create_trials",
    "merge_trials",
    "create_trial_roles",
    "merge_trial_roles",
    "create_score_run",
    "delete_old_score_runs",
    "set_coverage_day",
    "delete_old_coverage_days",
}
#: Writes that leave every co-authorship and current affiliation as they were (scores and
#: territories too may change): they bump the data version only, so what
#: :meth:`Neo4jStore.cached` keeps of the network (reach's arrays of every co-authorship: a
#: minute to pull at L) outlives a logged touchpoint or a rescore.  Any other write bumps
#: the network version too.
NETWORK_NEUTRAL_QUERIES = HCP_NEUTRAL_QUERIES | {
    "set_scores",
    "remove_stale_scores",
    "mark_scores_fresh",
    "mark_scores_stale",
    "delete_territory_rules",
    "create_territory_rules",
    "merge_territory_alignment",
    "set_hcp_territories",
}
#: Network writes of steward corrections noted for :meth:`Neo4jStore.cached` (older notes
#: go: arrays held from before so many writes are read whole again).
KEPT_NETWORK_MENDS = 1_000
#: The statement of each name :mod:`kolgraph.store.gap_snapshot` and
#: :mod:`kolgraph.store.search_index` fetch.
SNAPSHOT_QUERIES = {
    "list_scored_hcps": "list_scored_hcps",
    "list_scored_hcps_of": "list_scored_hcps_of",
    "list_touches": "list_touches",
    "list_hcps_touches": "list_hcps_touches",
    "list_msls": "list_msl_rows",
    "list_search_hcps": "list_search_hcps",
    "list_institution_names": "list_institution_names",
    "list_hcp_topics": "list_hcp_topics",
    "list_search_hcps_of": "list_search_hcps_of",
    "list_institution_names_of": "list_institution_names_of",
    "list_hcp_topics_of": "list_hcp_topics_of",
}
#: The statement that reads each projection table's rows around one HCP (see
#: :func:`~kolgraph.store.common.tables_around`).
AROUND_QUERIES = {
    "hcps": "around_hcps",
    "publications": "around_publications",
    "authorships": "around_authorships",
    "coauthorships": "around_coauthorships",
    "trials": "around_trials",
    "trial_roles": "around_trial_roles",
    "affiliations": "around_affiliations",
    "institutions": "around_institutions",
}
#: The statement that reads each whole table.
LIST_QUERIES = {
    "hcps": "list_hcps",
    "institutions": "list_institutions",
    "affiliations": "list_affiliations",
    "publications": "list_publications",
    "authorships": "list_authorships",
    "trials": "list_trials",
    "trial_roles": "list_trial_roles",
    "msls": "list_msls",
    "touchpoints": "list_touchpoints",
    "coauthorships": "list_coauthorships",
}


#: Caches a closed store left to the next store on the same (uri, database), taken once,
#: and whether it kept snapshots: see :meth:`Neo4jStore.hand_down_caches`.
_HANDED_DOWN: dict[tuple[str | None, str], tuple[dict[str, tuple[Versions, Any]], bool]] = {}


@dataclass(frozen=True)
class Versions:
    """What :meth:`Neo4jStore.data_version` reads: the database's ``epoch`` (``new`` before
    any write) and its write counts: every write (``count``), those that may change
    co-authorships or current affiliations (``network_count``), and those outside
    :data:`HCP_NEUTRAL_QUERIES` (``hcps_count``).  ``data``, ``network`` and ``hcps`` are
    the tokens caches are kept by."""

    epoch: str = "new"
    count: int = 0
    network_count: int = 0
    hcps_count: int = 0

    @property
    def data(self) -> str:
        if self.epoch == "new":
            return "new"
        return f"{self.epoch}:{self.count}:{self.network_count}:{self.hcps_count}"

    @classmethod
    def of_data(cls, token: str) -> Versions | None:
        """The versions a :attr:`data` token names (None: not one)."""
        if token == "new":
            return cls()
        epoch, *counts = token.split(":")
        if len(counts) != 3 or not all(c.isdigit() for c in counts):
            return None
        count, network_count, hcps_count = map(int, counts)
        return cls(epoch, count, network_count, hcps_count)

    @property
    def network(self) -> str:
        return f"{self.epoch}:n{self.network_count}"

    @property
    def hcps(self) -> str:
        return f"{self.epoch}:h{self.hcps_count}"


def _version_of(versions: Versions, of_network: bool) -> str:
    return versions.network if of_network else versions.data


class Neo4jStore(GraphStore):
    """A :class:`GraphStore` in a Neo4j 5 database.

    ``driver`` is an open :class:`neo4j.Driver`; the store closes it only when
    ``owns_driver`` is true (as it is for a store built by :meth:`connect`).  ``uri`` only
    names the server in error messages.
    """

    backend = "neo4j"
    thread_safe = True
    batch_size = BATCH_SIZE
    writers = WRITERS
    coauthor_batch_size = COAUTHOR_BATCH_SIZE

    def __init__(
        self,
        driver: Driver,
        database: str = "neo4j",
        owns_driver: bool = False,
        *,
        uri: str | None = None,
        catalog: QueryCatalog | None = None,
        coauthor_max_authors: int = DEFAULT_COAUTHOR_MAX_AUTHORS,
    ):
        self.coauthor_max_authors = coauthor_max_authors
        self._driver = driver
        self._database = database
        self._owns_driver = owns_driver
        self._where = f"Neo4j at {uri}" if uri else f"Neo4j (database {database!r})"
        self._queries = catalog or default_catalog()
        self._constraints_ready = False
        self._reads = Neo4jReads(self)
        self._cache_key = (uri, database)
        self._cache, self._keeps_snapshots = _HANDED_DOWN.pop(self._cache_key, ({}, False))
        self._cache_lock = threading.Lock()
        #: Seconds a data version read is reused (0: read on every call).  A web server sets
        #: it so pages make no round trip to learn that nothing changed; its own writes are
        #: seen at once, another process's within this many seconds.
        self.version_poll_seconds = 0.0
        self._version_read: tuple[float, Versions] | None = None
        self._neutral_texts = {self._queries.get(name) for name in NETWORK_NEUTRAL_QUERIES}
        self._hcp_neutral_texts = {self._queries.get(name) for name in HCP_NEUTRAL_QUERIES}
        self._touch_date_texts = {self._queries.get(name) for name in TOUCH_DATE_QUERIES}
        #: The local server a first load into an empty database imports into (None: every
        #: load goes through Bolt); see :mod:`.first_load`.
        self.local_server: first_load.LocalServer | None = None
        self._bookmarks: BookmarkManager | None = None

    def forget_bookmarks(self) -> None:
        """Start a new chain of bookmarks: the database was replaced by one whose
        transaction ids start again (an import), so older bookmarks would never be reached."""
        self._bookmarks = GraphDatabase.bookmark_manager()

    @classmethod
    def connect(
        cls, settings: Neo4jSettings, *, coauthor_max_authors: int = DEFAULT_COAUTHOR_MAX_AUTHORS
    ) -> Neo4jStore:
        """A store on a new driver built from ``settings``, checked to answer; it owns the driver.

        Raises :class:`StoreUnavailable` when there is no password, the credentials are
        refused, the server cannot be reached or the database does not exist.
        """
        if not settings.password:
            raise StoreUnavailable(
                f"no password for Neo4j at {settings.uri}: set NEO4J_PASSWORD "
                "(or run 'kolgraph neo4j start' for a local server)"
            )
        driver = _driver(settings)
        store = cls(
            driver,
            settings.database,
            owns_driver=True,
            uri=settings.uri,
            coauthor_max_authors=coauthor_max_authors,
        )
        try:
            store.check()
        except BaseException:
            driver.close()
            raise
        return store

    @classmethod
    def open(cls, settings: Settings, *, create: bool = False) -> Neo4jStore:
        # a server's database exists or is refused
        store = cls.connect(settings.neo4j, coauthor_max_authors=settings.coauthor_max_authors)
        store.local_server = first_load.local_server(settings)
        return store

    @property
    def database(self) -> str:
        """The name of the database this store reads and writes."""
        return self._database

    @property
    def reads(self) -> Neo4jReads:
        return self._reads

    def check(self) -> None:
        """Prove the server, the credentials and the database answer (one trivial read)."""
        with self.errors():
            self._driver.verify_connectivity()
        self.read("check_connection")

    def ensure_constraints(self) -> None:
        """Create the uniqueness constraint on every node key and every index, if they do
        not exist yet, and migrate the database to :data:`SCHEMA_VERSION`."""
        for constraint, _match in KEY_QUERIES.values():
            self.execute_schema(constraint)
        for index in INDEX_QUERIES:
            self.execute_schema(index)
        self.migrate()
        self._constraints_ready = True

    def schema_queries(self) -> tuple[str, ...]:
        """Every statement creating a constraint or an index of the current schema."""
        keys = tuple(constraint for constraint, _match in KEY_QUERIES.values())
        return keys + INDEX_QUERIES + MIGRATED_SCHEMA_QUERIES

    def query_text(self, name: str) -> str:
        """The text of catalog statement ``name``."""
        return self._queries.get(name)

    def create_schema(self) -> None:
        """Every constraint and index of the current schema, for a database written whole
        at :data:`SCHEMA_VERSION` (no migration step to run), two statements at a time:
        a constraint waits for its index to be built, one core each."""
        names = self.schema_queries()
        with (
            self.errors(),
            ThreadPoolExecutor(WRITERS, thread_name_prefix="kolgraph-schema") as pool,
        ):
            for done in [pool.submit(self.execute_schema, name) for name in names]:
                done.result()
        self._constraints_ready = True

    @staticmethod
    def bookkeeping_nodes(stale_scores: bool) -> list[tuple[str, dict]]:
        """The nodes a first load leaves besides the data, as (label, properties): the
        schema version (``set_schema_version``), the data version of a new epoch after one
        write (``bump_versions``) and, when scored data was loaded, stale scores
        (``mark_scores_stale``); for a database written whole by the import tool."""
        nodes: list[tuple[str, dict]] = [
            ("KolgraphSchema", {"name": "kolgraph", "version": SCHEMA_VERSION}),
            (
                "DataVersion",
                {"id": 1, "epoch": str(uuid.uuid4()), "version": 1, "network": 1, "hcps": 1},
            ),
        ]
        if stale_scores:
            nodes.append(("ScoreState", {"id": 1, "stale": 1}))
        return nodes

    def schema_version(self) -> int:
        """The database's schema version (0: written before kolgraph kept one, or empty)."""
        (row,) = self.read("read_schema_version")
        return int(row["version"] or 0)

    def migrate(self, version: int | None = None) -> None:
        """Run every step of :data:`MIGRATIONS` the database has not had, then record
        :data:`SCHEMA_VERSION` (``version``: the stored one, when the caller read it)."""
        current = self.schema_version() if version is None else version
        if current >= SCHEMA_VERSION:
            return
        for step in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](self)
        self.execute("set_schema_version", version=SCHEMA_VERSION)

    def migrate_if_older(self, version: int | None) -> bool:
        """Migrate when ``version`` (as a query just read it) is below the current one."""
        if (version or 0) >= SCHEMA_VERSION:
            return False
        self.migrate(version or 0)
        return True

    # -- the write side and whole tables --------------------------------------------------

    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table``.

        A label with no nodes (a first load) is answered from the count store, without a
        lookup per key; a few keys (a question's) are simply looked up, in one round trip.
        """
        spec = entity_table(table)
        found: set[str] = set()
        wanted = list(dict.fromkeys(keys))
        if len(wanted) > self.batch_size and not self.stats()["nodes"][spec.graph_name]:
            return found
        _constraint, match = KEY_QUERIES[spec.name]
        for chunk in chunks(wanted, self.batch_size):
            found.update(row["key"] for row in self.read(match, keys=list(chunk)))
        return found

    def load(self, batch: Batch, progress: Progress = no_progress) -> None:
        """Upsert every table of ``batch``, then refresh derived data (:mod:`.load`); into
        the empty database of the local server, through the import tool (:mod:`.first_load`)."""
        if self.local_server is not None and first_load.can_import(self, batch):
            first_load.import_first_load(self, batch, progress)
            return
        if not self._constraints_ready:
            self.ensure_constraints()
        if changes_scores(batch):  # first: a load stopped halfway leaves the scores stale
            self.execute("mark_scores_stale")
        with self.errors():
            load.write(self, batch, progress)

    def stats(self) -> dict[str, dict[str, int]]:
        """Node count per label and relationship count per type (COAUTHORED_WITH once per pair)."""
        (row,) = self.read("count_graph")
        return {
            "nodes": {label: row["nodes"][label] for label in NODE_LABELS},
            "relationships": {kind: row["relationships"][kind] for kind in REL_TYPES},
        }

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole stored table in canonical shape, derived columns appended (see
        :meth:`GraphStore.table`)."""
        if name not in LIST_QUERIES:
            raise ValueError(f"unknown table {name!r}")
        with cyclic_gc_paused():
            return _frame(name, self.read_rows(LIST_QUERIES[name]), columns)

    def tables_around(self, hcp_id: str) -> dict[str, pd.DataFrame]:
        """As :meth:`GraphStore.tables_around`, reading only those rows (one indexed query
        per table, not every table whole)."""
        return {
            name: _frame(name, self.read_rows(query, hcp_id=hcp_id))
            for name, query in AROUND_QUERIES.items()
        }

    def write_scores(self, frame: pd.DataFrame, seen: int | None = None) -> None:
        """Replace every HCP score with ``frame``, in batched writes; HCPs not in ``frame``
        lose their score."""
        rows = score_rows(frame)
        marks = self.stale_marks() if seen is None else seen
        with self.errors():
            self.write_batches("set_scores", rows)
            self.execute("remove_stale_scores", hcp_ids=[r["hcp_id"] for r in rows])
            self.execute("mark_scores_fresh", seen=marks)

    def stale_marks(self) -> int:
        return int(self.read("read_score_state")[0]["stale"])

    def scores(self) -> pd.DataFrame:
        """Every stored HCP score (``components`` as dicts), by hcp_id."""
        return score_frame(self.read("list_scores"))

    def influences(self) -> dict[str, float]:
        return {row["hcp_id"]: row["influence"] for row in self.read("list_influences")}

    def save_history(
        self,
        scored_on: str,
        tiers: dict[str, tuple[int, bool]],
        coverage: list[dict],
        keep: History,
    ) -> None:
        oldest = (date.fromisoformat(scored_on) - timedelta(days=keep.days)).isoformat()
        self.execute_together(
            [
                ("create_score_run", {"scored_on": scored_on, "tiers_json": json.dumps(tiers)}),
                ("delete_old_score_runs", {"keep": keep.runs}),
                ("set_coverage_day", {"day": scored_on, "rows": coverage}),
                ("delete_old_coverage_days", {"oldest": oldest}),
            ]
        )

    def close(self) -> None:
        """Close the driver if this store created it; a driver passed in stays open."""
        if self._owns_driver:
            self._driver.close()

    # -- steward corrections ---------------------------------------------------------------

    def corrections(self) -> list[Correction]:
        """Every stored steward correction, oldest first."""
        return [from_row(row) for row in self.read("list_identity_corrections")]

    def apply_merge(self, correction: Correction) -> None:
        """Fold ``other_id`` into ``hcp_id`` and keep the record in one transaction, then
        recount what derives from the moved links."""
        ids = {"hcp_id": correction.hcp_id, "other_id": correction.other_id}
        self._correct(
            correction,
            [
                ("set_hcp_fields", {"hcp_id": correction.hcp_id, "fields": correction.fields}),
                ("move_hcp_affiliations", ids),
                ("move_hcp_authorships", ids),
                ("move_hcp_trial_roles", ids),
                ("move_hcp_touchpoints", ids),
                ("delete_hcp", {"hcp_id": correction.other_id}),
            ],
        )
        with self.errors():
            load.refresh_touch_dates(self, [correction.hcp_id])

    def apply_split(self, correction: Correction, hcp: dict) -> None:
        """Create the new HCP and move the split authorships to it with the record in one
        transaction, then recount co-authorships."""
        frame = territories.aligned_hcps(
            object_frame({k: [v] for k, v in hcp.items()}), self.alignment()
        )
        move = {
            "hcp_id": correction.hcp_id,
            "other_id": correction.other_id,
            "pmids": list(correction.pmids),
        }
        rows = load.table_rows(HCPS, frame)
        self._correct(correction, [("merge_hcps", {"rows": rows}), ("move_authorships", move)])

    def _correct(self, correction: Correction, statements: list[tuple[str, dict]]) -> None:
        """Run a correction's statements, keep its record and flag the scores, all in one
        transaction; then recount co-authorships and last authors around it."""
        if not self._constraints_ready:
            self.ensure_constraints()
        ids = [correction.hcp_id, correction.other_id]
        self.execute_together(
            [
                *statements,
                ("create_identity_correction", {"row": correction.row()}),
                ("mark_scores_stale", {}),
                ("delete_old_network_mends", {"keep": KEPT_NETWORK_MENDS}),
            ],
            corrected=ids,
        )
        with self.errors():
            pmids = list(correction.pmids)
            self.write_batches("set_last_author", pmids, param="pmids", corrected=ids)
            cap = {"max_authors": self.coauthor_max_authors}
            for name in ("delete_stale_coauthorships", "merge_coauthorships"):
                self.write_batches(name, ids, param="hcp_ids", params=cap, corrected=ids)

    # -- territories and CRM look-ups -----------------------------------------------------

    def alignment(self) -> Alignment | None:
        """The stored territory alignment (``None`` when none was stored)."""
        rows = self.read("read_territory_alignment")
        if not rows:
            return None
        (row,) = rows
        return territories.from_rows(row["rules"], bool(row["override"]), row["source"])

    def set_alignment(self, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other), then re-align every stored HCP; returns
        how many HCPs changed territory."""
        statements: list[tuple[str, dict]] = [
            (self._queries.get("delete_territory_rules"), {}),
            (
                self._queries.get("create_territory_rules"),
                {"rules": territories.rule_rows(alignment)},
            ),
            (
                self._queries.get("merge_territory_alignment"),
                {"source": alignment.source, "override": alignment.override},
            ),
        ]
        with self.errors(), self.session() as session:
            self._write(session, statements)
        changed = territories.realigned(self.hcp_places(), alignment)
        rows = territory_rows(changed)
        text = self._queries.get("set_hcp_territories")
        with self.errors(), self.session() as session:
            for chunk in chunks(rows, self.batch_size):
                self._write(session, [(text, {"rows": chunk})])
        return len(rows)

    def hcp_places(self) -> pd.DataFrame:
        """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
        return places_frame(self.read_rows("list_hcp_places"))

    def known_territories(self) -> list[str]:
        """Every territory of an HCP, an MSL or an alignment rule, sorted."""
        return [row["territory"] for row in self.read("list_territories")]

    def hcp_ids_by_npi(self, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> the ids of the HCPs holding it, for the given NPIs any HCP holds."""
        found: dict[str, list[str]] = {}
        for chunk in chunks(list(dict.fromkeys(npis)), self.batch_size):
            for row in self.read("match_hcp_npis", npis=chunk):
                found.setdefault(row["npi"], []).append(row["hcp_id"])
        return found

    def hcp_npis(self, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(hcp_ids)), self.batch_size):
            found.update((r["hcp_id"], r["npi"]) for r in self.read("read_hcp_npis", hcp_ids=chunk))
        return found

    def msl_ids_by_email(self) -> dict[str, list[str]]:
        """Lower-case e-mail -> the ids of the MSLs with that e-mail (in any case)."""
        found: dict[str, list[str]] = {}
        for row in self.read("list_msl_emails"):
            found.setdefault(row["email"].lower(), []).append(row["msl_id"])
        return found

    # -- running statements (for .load and .reads) ----------------------------------------

    def run_jobs(self, jobs: list[Job], progress: Progress) -> None:
        """Write ``jobs`` with :attr:`writers` parallel sessions (:func:`.bulk.run_jobs`)."""

        def write(session: Session, job: Job) -> None:
            self._write(session, [(self._queries.get(job.query), {"rows": job.payload()})])

        run_jobs(jobs, write, self.session, progress, self.writers)

    def write_batches(
        self,
        name: str,
        rows: list,
        progress: Progress = no_progress,
        *,
        param: str = "rows",
        size: int | None = None,
        params: dict | None = None,
        corrected: Sequence[str] = (),
    ) -> None:
        """Run query ``name`` once per batch of ``rows``, each in its own write transaction
        (with ``params`` beside the batch; ``corrected``: see :meth:`_write`)."""
        text = self._queries.get(name)
        with self.errors(), self.session() as session:
            for chunk in chunks(rows, size or self.batch_size):
                statement = (text, {param: list(chunk), **(params or {})})
                self._write(session, [statement], corrected)
                progress(len(chunk))

    def read(self, name: str, **params: object) -> list[dict]:
        """The rows (as dicts) of read query ``name``, routed to a reader."""
        with self.errors(), self.session() as session:
            return session.execute_read(_fetch_dicts, self._queries.get(name), params)

    def read_streams(self, names: Sequence[str], build: Callable[..., T]) -> T:
        """What ``build`` makes of read queries ``names``, run in one read transaction: one
        argument per query, an iterator over its records as tuples, to consume in order (an
        answer too big to hold as dicts first; a retried transaction builds again)."""
        texts = [self._queries.get(name) for name in names]
        with self.errors(), self.session() as session:
            return session.execute_read(_build_from_records, texts, build)

    def read_rows(self, name: str, **params: object) -> list[Any]:
        """The rows (maps or lists) of read query ``name``, which returns them collected in
        column ``rows``: the driver spends far more on a record than on a row inside one."""
        with self.errors(), self.session() as session:
            return session.execute_read(_fetch_rows, self._queries.get(name), params)

    def execute(self, name: str, **params: object) -> None:
        """Run write query ``name`` alone, in its own managed transaction."""
        with self.errors(), self.session() as session:
            self._write(session, [(self._queries.get(name), params)])

    def execute_together(
        self, statements: list[tuple[str, dict]], corrected: Sequence[str] = ()
    ) -> None:
        """Run write queries in one managed transaction: all of them, or none
        (``corrected``: see :meth:`_write`)."""
        texts = [(self._queries.get(name), params) for name, params in statements]
        with self.errors(), self.session() as session:
            self._write(session, texts, corrected)

    def execute_schema(self, name: str) -> None:
        """Run schema statement ``name`` (a constraint or an index): no data changes, and
        Neo4j runs no data write in the transaction of a schema change."""
        with self.errors(), self.session() as session:
            session.execute_write(_run_all, [(self._queries.get(name), {})])

    def _write(
        self, session: Session, statements: list[tuple[str, dict]], corrected: Sequence[str] = ()
    ) -> None:
        """Run ``statements`` in one write transaction that ends by bumping the versions
        (:class:`Versions`): the data version always, the network and HCP counts unless
        every statement leaves them alone, and the touch stamp of the HCPs whose touchpoints
        it rewrote.  Last, so the version node is locked only while the transaction commits:
        parallel bulk writers do not queue on it.  ``corrected``: the HCPs of a steward
        correction, the only ones whose links the statements change; the network count it
        bumps is noted with them, so arrays of the network kept in memory are mended
        (:meth:`cached`) instead of read whole."""
        texts = {text for text, _params in statements}
        bump_params = {
            "network": 0 if texts <= self._neutral_texts else 1,
            "hcps": 0 if texts <= self._hcp_neutral_texts else 1,
            "corrected": list(corrected),
            "touched": [
                row["hcp_id"]
                for text, params in statements
                if text in self._touch_date_texts
                for row in params["rows"]
            ],
        }
        bump = (self._queries.get("bump_versions"), bump_params)
        self._version_read = None
        try:
            session.execute_write(_run_all, [*statements, bump])
        finally:
            self._version_read = None  # a read during the write may hold the old version

    def cached(
        self,
        kind: str,
        build: Callable[[], T],
        *,
        of_network: bool = False,
        follow: Callable[[T, Versions], T] | None = None,
        mend: Callable[[T, list[str]], T | None] | None = None,
    ) -> T:
        """What ``build()`` returns, kept by this open store while the data version is
        unchanged (a web server shares one store across its threads); with ``of_network``,
        while the network version is (a value built from co-authorships and current
        affiliations only).  With ``follow``, a value behind writes that changed no HCP
        (:data:`HCP_NEUTRAL_QUERIES`) becomes ``follow(value, its versions)`` instead; with
        ``mend``, a value behind steward corrections (and writes that changed no HCP) is
        followed, then becomes ``mend(value, their HCPs)`` (unless that is None).  The
        versions are read first: a write during the build leaves the value under the older
        versions, built, followed or mended again at the next call.  Built with the cyclic
        collector paused (the co-authorship adjacency is millions of objects)."""
        versions = self._versions()
        with self._cache_lock:
            held = self._cache.get(kind)
        if held is not None and _version_of(held[0], of_network) == _version_of(
            versions, of_network
        ):
            return held[1]  # type: ignore[no-any-return]
        with cyclic_gc_paused():
            value = None
            if follow is not None and held is not None and held[0].hcps == versions.hcps:
                value = follow(held[1], held[0])
            elif mend is not None and held is not None:
                corrected = self._corrected_since(held[0], versions, of_network)
                if corrected is not None:
                    kept = held[1] if follow is None else follow(held[1], held[0])
                    value = mend(kept, corrected)
            if value is None:
                value = build()
        with self._cache_lock:
            self._cache[kind] = (versions, value)
        return value

    def _corrected_since(self, held: Versions, now: Versions, of_network: bool) -> list[str] | None:
        """The HCPs of the steward corrections that made every network write after ``held``
        up to ``now`` and, unless ``of_network``, every write that changed an HCP; None when
        another write did (a load, a rescore...), the database was wiped, or the notes of
        those writes are gone.  Each of a correction's writes changes both."""
        if held.epoch != now.epoch or held.network_count >= now.network_count:
            return None
        writes = now.network_count - held.network_count
        if not of_network and now.hcps_count - held.hcps_count != writes:
            return None
        (row,) = self.read(
            "list_network_mends",
            epoch=now.epoch,
            since=held.network_count,
            until=now.network_count,
        )
        if row["writes"] != writes:
            return None
        return sorted(set(row["hcp_ids"]))

    @property
    def keeps_snapshots(self) -> bool:
        """Whether this store keeps snapshots in memory (:meth:`keep_snapshots`)."""
        return self._keeps_snapshots

    def keep_snapshots(self) -> None:
        """Keep the gaps snapshot (:mod:`kolgraph.store.gap_snapshot`) and the search index
        (:mod:`kolgraph.store.search_index`) of this database in memory from now on,
        followed after writes that only changed touchpoints: for a long-running server.  A
        one-off process asks the server the bounded questions."""
        self._keeps_snapshots = True

    def snapshot(
        self,
        kind: str,
        read: Callable[[Fetch], T],
        follow: Callable[[T, set[str], Fetch], T],
        mend: Callable[[T, list[str], Fetch], T] | None = None,
    ) -> T | None:
        """``read(fetch)``'s value in a process keeping snapshots (:meth:`keep_snapshots`),
        else None; kept while the data version is unchanged, and after writes that changed
        no HCP (only touchpoints, MSLs, trials...: :data:`HCP_NEUTRAL_QUERIES`) followed
        from the HCPs they stamped; with ``mend``, after steward corrections too, followed
        and then mended from the corrected HCPs.  The versions are read first, so a write
        during the read leaves the value under older versions, followed, mended or read
        again at the next call."""
        if not self._keeps_snapshots:
            return None
        fetch = self._fetch_rows

        def followed(value: T, held: Versions) -> T:
            return follow(value, self._touched_since(held.count), fetch)

        def mended(value: T, corrected: list[str]) -> T:
            return mend(value, corrected, fetch)  # type: ignore[misc]

        return self.cached(
            kind, lambda: read(fetch), follow=followed, mend=None if mend is None else mended
        )

    def _touched_since(self, count: int) -> set[str]:
        """The HCPs whose touchpoints a write after write count ``count`` rewrote."""
        (row,) = self.read("list_touch_stamped_hcps", since=count)
        return set(row["hcp_ids"])

    def _fetch_rows(self, name: str, params: dict | Sequence = ()) -> list[tuple]:
        """:class:`~kolgraph.store.common.Fetch` over the statements that collect their rows
        into one record (``rows``), the snapshot's statement names mapped to Cypher's."""
        (row,) = self.read(SNAPSHOT_QUERIES[name], **dict(params))
        return row["rows"]  # type: ignore[no-any-return]

    def hand_down_caches(self) -> None:
        """Leave what :meth:`cached` holds to the next store opened on the same server and
        database in this process or a child forked after this store closes (``kolgraph
        serve`` warms up once before its workers fork: at L, pulling the co-authorships
        takes a minute), and the duty to keep snapshots.  The values stay tied to their data
        version."""
        with self._cache_lock:
            _HANDED_DOWN[self._cache_key] = (dict(self._cache), self._keeps_snapshots)

    def data_version(self) -> str:
        """``epoch:count:network_count:hcps_count`` (:class:`Versions`): every write
        transaction bumps ``count``; a wiped database gets a new ``epoch`` at its next write
        (``new`` before any).  Reused for :attr:`version_poll_seconds` after a read, until
        this store writes."""
        return self._versions().data

    def corrected_since(self, version: str) -> list[str] | None:
        held, now = Versions.of_data(version), self._versions()
        if held is None or held.epoch != now.epoch:
            return None
        if (held.network_count, held.hcps_count) == (now.network_count, now.hcps_count):
            return []  # touchpoints, MSLs, trials... changed no HCP and no link
        return self._corrected_since(held, now, of_network=False)

    def _versions(self) -> Versions:
        held = self._version_read
        if held is not None and time.monotonic() - held[0] < self.version_poll_seconds:
            return held[1]
        read_at = time.monotonic()
        (row,) = self.read("read_data_version")
        epoch = row["epoch"]
        if epoch is None:
            versions = Versions()
        else:  # no network or HCP count yet: no such write since kolgraph kept one
            versions = Versions(epoch, row["version"], row["network"] or 0, row["hcps"] or 0)
        self._version_read = (read_at, versions)
        return versions

    def session(self) -> Session:
        """A session on our database.

        It shares the driver's ``execute_query`` bookmarks (until :meth:`forget_bookmarks`),
        so a read sees every earlier write of this store even on a cluster; and the server
        does not send "unknown label or property" warnings, which an empty database triggers
        on every query.
        """
        return self._driver.session(
            database=self._database,
            bookmark_manager=self._bookmarks or self._driver.execute_query_bookmark_manager,
            notifications_disabled_categories=[NotificationDisabledCategory.UNRECOGNIZED],
        )

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Re-raise the driver's connection and credential errors as :class:`StoreUnavailable`."""
        try:
            yield
        except AuthError:
            raise StoreUnavailable(
                f"{self._where} rejected the credentials (check NEO4J_USERNAME and NEO4J_PASSWORD)"
            ) from None
        except (ServiceUnavailable, SessionExpired):
            raise StoreUnavailable(
                f"cannot reach {self._where}: is the server running? "
                "('kolgraph neo4j start' runs a local one)"
            ) from None
        except ClientError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreUnavailable(
                    f"{self._where} has no database {self._database!r} (check NEO4J_DATABASE)"
                ) from None
            if (exc.code or "").startswith("Neo.ClientError.Security."):
                raise StoreUnavailable(f"{self._where} refused access: {exc.message}") from None
            raise


# -- transaction functions (may be retried: idempotent, results consumed inside) ------------


def _run_all(tx, statements: list[tuple[str, dict]]) -> None:
    """Several statements in one transaction (a retry reruns them all: idempotent)."""
    for text, params in statements:
        tx.run(text, params).consume()


def _frame(name: str, props: list[dict], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Table ``name`` in canonical shape from its rows' properties (as the list and around
    queries give them), sorted by key: every column, or only ``columns``."""
    stored: tuple[str, ...]
    key: Sequence[str]
    lists: tuple[str, ...]
    if name == "coauthorships":
        stored, key, lists = COAUTHORSHIP_COLUMNS, ["hcp_a", "hcp_b"], ()
    else:
        spec = TABLES_BY_NAME[name]
        stored, key = spec.column_names + DERIVED.get(name, ()), list(spec.key)
        lists = tuple(c.name for c in spec.columns if c.kind == "list")
    chosen = tuple(columns) if columns is not None else stored
    unknown = set(chosen) - set(stored)
    if unknown:
        raise ValueError(f"table {name!r} has no column(s) {', '.join(sorted(unknown))}")
    values = {c: [p.get(c) for p in props] for c in (*chosen, *key)}
    for column in set(lists) & set(values):  # a missing list is read as []
        values[column] = [[] if v is None else v for v in values[column]]
    frame = object_frame(values)
    if "last_author" in values:
        frame["last_author"] = pd.Series([v is True for v in frame["last_author"]], dtype=object)
    frame = frame.sort_values(list(key), kind="stable").reset_index(drop=True)
    return frame[list(chosen)]


def _fetch_dicts(tx, text: str, params: dict) -> list[dict]:
    """The records as dicts of what the driver decoded.  Not ``Record.data()``: our queries
    return lists, maps and scalars (never nodes), so its deep walk over every value is
    needless work on wide answers."""
    return [dict(record) for record in tx.run(text, params)]


def _build_from_records(tx, texts: list[str], build: Callable[..., T]) -> T:
    return build(*(_record_tuples(tx, text) for text in texts))


def _record_tuples(tx, text: str) -> Iterator[tuple]:
    """The records of ``text`` as tuples, the query run when the first is asked for."""
    for record in tx.run(text):
        yield tuple(record)


def _fetch_rows(tx, text: str, params: dict) -> list[Any]:
    return [row for record in tx.run(text, params) for row in record["rows"]]


# -- helpers --------------------------------------------------------------------------------


def _driver(settings: Neo4jSettings) -> Driver:
    """A driver for ``settings.uri`` (``neo4j://``, ``neo4j+s://``, ``bolt://`` ...)."""
    try:
        auth = (settings.username, settings.password or "")
        return GraphDatabase.driver(settings.uri, auth=auth)
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"NEO4J_URI {settings.uri!r} is not a Neo4j URI: {exc}") from None


def _migrate_touch_dates(store: Neo4jStore) -> None:
    """Version 1: every HCP keeps ``touch_dates`` (databases written before kept none, and
    marked a backfill with a ``StoreState`` node, which goes)."""
    (row,) = store.read("list_touch_date_hcps")
    load.refresh_touch_dates(store, row["hcp_ids"])
    store.execute("delete_store_state")


MIGRATIONS[1] = _migrate_touch_dates


def _migrate_identity_corrections(store: Neo4jStore) -> None:
    """Version 2: steward corrections are ``IdentityCorrection`` nodes, unique by id."""
    (query,) = MIGRATED_SCHEMA_QUERIES
    store.execute_schema(query)


MIGRATIONS[2] = _migrate_identity_corrections
