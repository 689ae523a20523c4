"""The Neo4j store: the KOL graph in a real Neo4j server, through the official driver.

The driver is passed in (:meth:`Neo4jStore.connect` builds one from settings for the CLI);
every statement is a parameterized ``.cypher`` file from :mod:`kolgraph.cypher`.  Loads are
batched ``UNWIND $rows ... MERGE`` statements, each in a managed write transaction, so a
batch the driver retries after a transient failure gives the same result; two sessions
write at once, never touching the same nodes at the same time (:mod:`.neo4j_bulk`).

Derived data (``AUTHORED.last_author``, ``COAUTHORED_WITH``) is refreshed after every load
for what the load touched, inside the server (no authorship crosses the wire): the
co-author pairs of every author of a touched publication are recounted over all
``AUTHORED`` relationships and written only where they changed, so reloading an unchanged
bundle rewrites no co-author relationship.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial

import numpy as np
import pandas as pd
from neo4j import Driver, GraphDatabase, NotificationDisabledCategory, Session
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ServiceUnavailable,
    SessionExpired,
)

from kolgraph.coauthorship import coauthorship_pairs
from kolgraph.config import Neo4jSettings
from kolgraph.cypher import QueryCatalog, default_catalog
from kolgraph.errors import ConfigError, InputError, StoreUnavailable
from kolgraph.schema import (
    ENTITY_TABLES,
    NODE_LABELS,
    REL_TYPES,
    TABLES,
    TABLES_BY_NAME,
    Batch,
    Column,
    Table,
    hcp_name,
)
from kolgraph.store.base import COAUTHORSHIP_COLUMNS, GraphStore, Progress, no_progress
from kolgraph.store.neo4j_bulk import (
    WRITERS,
    Job,
    chunks,
    interleave,
    link_jobs,
    node_jobs,
    run_jobs,
    weightless,
)
from kolgraph.store.neo4j_gaps import Neo4jGapQueries
from kolgraph.store.neo4j_network import Neo4jNetworkQueries
from kolgraph.store.neo4j_territories import Neo4jTerritoryQueries
from kolgraph.store.neo4j_web import Neo4jWebQueries
from kolgraph.territories import aligned_hcps

#: Rows per write transaction: big enough to amortize round trips, small enough for the heap.
BATCH_SIZE = 10_000

#: HCPs per co-authorship refresh transaction (each brings ~40 pairs, counted from both ends).
COAUTHOR_BATCH_SIZE = 1_000

#: Columns of :meth:`Neo4jStore.scores`.
SCORE_COLUMNS = ("hcp_id", "influence", "tier", "rank", "components", "rising", "rising_score")

_COAUTHOR_KEY = ["hcp_a", "hcp_b"]
_INT_KINDS = ("int", "year")

#: Derived columns :meth:`Neo4jStore.table` appends, as the embedded store does.
DERIVED = {"hcps": ("name",), "authorships": ("last_author",)}


class Neo4jStore(
    Neo4jGapQueries, Neo4jNetworkQueries, Neo4jWebQueries, Neo4jTerritoryQueries, GraphStore
):
    """A :class:`GraphStore` in a Neo4j 5 database.

    ``driver`` is an open :class:`neo4j.Driver`; the store closes it only when
    ``owns_driver`` is true (as it is for a store built by :meth:`connect`).  ``uri`` only
    names the server in error messages.
    """

    backend = "neo4j"
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
    ):
        self._driver = driver
        self._database = database
        self._owns_driver = owns_driver
        self._where = f"Neo4j at {uri}" if uri else f"Neo4j (database {database!r})"
        self._queries = catalog or default_catalog()
        self._constraints_ready = False

    @classmethod
    def connect(cls, settings: Neo4jSettings) -> Neo4jStore:
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
        store = cls(driver, settings.database, owns_driver=True, uri=settings.uri)
        try:
            store.check()
        except BaseException:
            driver.close()
            raise
        return store

    # -- the GraphStore interface ---------------------------------------------------------

    def check(self) -> None:
        """Prove the server, the credentials and the database answer (one trivial read)."""
        with self._errors():
            self._driver.verify_connectivity()
        self._read("check_connection")

    def ensure_constraints(self) -> None:
        """Create the uniqueness constraint on every node key, and every index of the catalog
        (``create_*_index``), if they do not exist yet."""
        for table in ENTITY_TABLES:
            self._execute(f"create_{table.label.lower()}_key_constraint")
        for name in self._queries.names():
            if name.startswith("create_") and name.endswith("_index"):
                self._execute(name)
        self._constraints_ready = True

    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` already stored in entity table ``table``.

        A label with no nodes (a first load) is answered from the count store, without a
        lookup per key.
        """
        spec = _entity_table(table)
        found: set[str] = set()
        if not self.stats()["nodes"][spec.label]:
            return found
        for chunk in chunks(list(dict.fromkeys(keys)), self.batch_size):
            rows = self._read(f"match_{spec.label.lower()}_keys", keys=chunk)
            found.update(row["key"] for row in rows)
        return found

    def load(self, batch: Batch, progress: Progress = no_progress) -> None:
        """Upsert every table of ``batch``, then refresh derived data.

        Nodes first, then relationships (and touchpoints, which link an MSL and an HCP),
        each phase written by parallel, conflict-free sessions (:mod:`neo4j_bulk`); the
        relationship batches are prepared on another thread while the nodes are written.
        ``HCP.touch_dates`` follows the touchpoints (:meth:`_touch_date_jobs`): set with the
        relationships on a first load, else recomputed after them for every HCP whose
        touchpoints changed.
        """
        if not self._constraints_ready:
            self.ensure_constraints()
        if _rows_in(batch, TABLES_BY_NAME["hcps"]):  # territories as the stored alignment says
            batch = {**batch, "hcps": aligned_hcps(batch["hcps"], self.alignment())}
        with self._errors():
            stored = self.stats()  # what the store held before: which rows may be created
            first = self_contained(batch) and not stored["relationships"]["AUTHORED"]
            with ThreadPoolExecutor(1, thread_name_prefix="kolgraph-prepare") as prepare:
                links = prepare.submit(self._link_jobs, batch, first, stored["relationships"])
                dates = prepare.submit(
                    self._touch_date_jobs,
                    batch.get("touchpoints"),
                    not stored["nodes"]["Touchpoint"],
                )
                self._run_jobs(self._node_jobs(batch, stored["nodes"]), progress)
                # Read before the touchpoints are written: it holds their old HCPs.
                date_jobs, refresh = dates.result()
                self._run_jobs(interleave([links.result(), date_jobs]), progress)
            self._finish_touch_dates(refresh)
            pmids = touched_pmids(batch)
            if pmids and not first:
                with self._session() as session:
                    self._refresh_derived(session, pmids)

    def _node_jobs(self, batch: Batch, stored: dict[str, int]) -> list[Job]:
        """Batches of every node table without references (HCPs, publications...).

        Into a label with no nodes yet (``stored``: node count per label), rows with unique
        keys are CREATEd, which costs the server far less than MERGE; otherwise they are
        merged by key.
        """
        jobs = []
        for table in TABLES:
            if table.references or not _rows_in(batch, table):
                continue
            (key,) = table.key
            fresh = stored[table.label] == 0 and batch[table.name][key].is_unique
            query = f"{'create' if fresh else 'merge'}_{table.name}"
            jobs.append(
                node_jobs(
                    query, batch[table.name], self.batch_size, encode=partial(table_rows, table)
                )
            )
        return interleave(jobs)

    def _link_jobs(self, batch: Batch, first: bool, stored: dict[str, int]) -> list[Job]:
        """Batches of every table with references, split by the colours of their ends.

        A first load CREATEs authorships (grouped per HCP) and the co-author pairs computed
        from the batch: the store held no authorship, keys are unique within a batch, and a
        retried transaction was rolled back before it reruns.  Likewise affiliations and
        trial roles are created into a store holding none of their type (``stored``:
        relationship count per type).  Touchpoints whose keys are not stored yet are created
        (``create_touchpoints``), the others merged.
        """
        jobs = []
        for table in TABLES:
            if not table.references or not _rows_in(batch, table):
                continue
            ends = [(TABLES_BY_NAME[target].label, column) for column, target in table.references]
            frame = batch[table.name]
            if first and table.name == "authorships":
                jobs.append(
                    link_jobs(
                        "create_authorships",
                        first_authorships(frame),
                        ends,
                        self.batch_size,
                        group=("hcp_id", "publications"),
                    )
                )
            elif table.name == "touchpoints":
                rows = table_frame(table, frame)
                new = self._new_keys(table, rows)
                jobs.append(link_jobs("create_touchpoints", rows[new], ends, self.batch_size))
                jobs.append(link_jobs("merge_touchpoints", rows[~new], ends, self.batch_size))
            else:
                fresh = stored[table.rel_type] == 0 and not frame.duplicated(list(table.key)).any()
                query = f"{'create' if fresh else 'merge'}_{table.name}"
                jobs.append(link_jobs(query, table_frame(table, frame), ends, self.batch_size))
        if first:
            jobs.append(coauthorship_jobs(batch, self.batch_size))
        return interleave(jobs)

    def _new_keys(self, table: Table, rows: pd.DataFrame) -> np.ndarray:
        """Which ``rows`` of an entity table have a key not stored yet (a boolean mask).

        New touchpoints are created with their links at once, which costs the server far
        less than merging them and looking for links to move.
        """
        (key,) = table.key
        stored = self.existing_keys(table.name, rows[key].tolist())
        return ~rows[key].isin(stored).to_numpy()

    def _run_jobs(self, jobs: list[Job], progress: Progress) -> None:
        def write(session: Session, job: Job) -> None:
            session.execute_write(_run, self._queries.get(job.query), {"rows": job.payload()})

        run_jobs(jobs, write, self._session, progress, self.writers)

    def stats(self) -> dict[str, dict[str, int]]:
        """Node count per label and relationship count per type (COAUTHORED_WITH once per pair)."""
        (row,) = self._read("count_graph")
        return {
            "nodes": {label: row["nodes"][label] for label in NODE_LABELS},
            "relationships": {kind: row["relationships"][kind] for kind in REL_TYPES},
        }

    def table(self, name: str) -> pd.DataFrame:
        """A whole stored table in canonical shape, derived columns appended.

        ``hcps`` gets ``name`` and ``authorships`` gets ``last_author`` (bool), as in the
        embedded store; see :meth:`GraphStore.table`.
        """
        if name == "coauthorships":
            columns, key, lists = COAUTHORSHIP_COLUMNS, _COAUTHOR_KEY, ()
        else:
            spec = _table(name)
            columns, key = spec.column_names + DERIVED.get(name, ()), list(spec.key)
            lists = [c.name for c in spec.columns if c.kind == "list"]
        props = self._read_rows(f"list_{name}")
        frame = _frame({c: [p.get(c) for p in props] for c in columns}, lists)
        if name == "authorships":
            frame["last_author"] = pd.Series(
                [v is True for v in frame["last_author"]], dtype=object
            )
        return frame.sort_values(key, kind="stable").reset_index(drop=True)

    def write_scores(self, frame: pd.DataFrame) -> None:
        """Replace every HCP score with ``frame``, in batched writes.

        ``frame`` has :data:`SCORE_COLUMNS`: ``hcp_id, influence, tier, rank, components``
        (a dict, stored as the JSON string ``components_json``), ``rising`` (bool) and
        ``rising_score``.  HCPs not in ``frame`` lose their score.
        """
        missing = [c for c in SCORE_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(f"scores: missing column(s) {', '.join(missing)}")
        rows = score_rows(frame)
        with self._errors(), self._session() as session:
            self._write_batches(session, "set_scores", rows)
            session.execute_write(
                _run,
                self._queries.get("remove_stale_scores"),
                {"hcp_ids": [r["hcp_id"] for r in rows]},
            )

    def scores(self) -> pd.DataFrame:
        """Every stored HCP score (:data:`SCORE_COLUMNS`, ``components`` as dicts), by hcp_id."""
        rows = self._read("list_scores")
        for row in rows:
            row["components"] = json.loads(row.pop("components_json") or "{}")
            row["rising"] = bool(row["rising"])
        frame = _frame({c: [r[c] for r in rows] for c in SCORE_COLUMNS}, ())
        for column in ("influence", "rising_score"):
            frame[column] = frame[column].astype(float)
        return frame.sort_values("hcp_id", kind="stable").reset_index(drop=True)

    def close(self) -> None:
        """Close the driver if this store created it; a driver passed in stays open."""
        if self._owns_driver:
            self._driver.close()

    # -- derived data ---------------------------------------------------------------------

    def _refresh_derived(self, session: Session, pmids: list[str]) -> None:
        """Recompute last authors and co-author pairs around the touched publications.

        Runs in the server: co-authorships of every author of a touched publication are
        recounted over all ``AUTHORED`` relationships and written only where they changed,
        so reloading an unchanged bundle reads but does not rewrite them.
        """
        self._write_batches(session, "set_last_author", pmids, param="pmids")
        authors: set[str] = set()
        for chunk in chunks(pmids, self.batch_size):
            (row,) = session.execute_read(
                _fetch_dicts, self._queries.get("read_publication_authors"), {"pmids": chunk}
            )
            authors.update(row["hcp_ids"])
        hcp_ids = sorted(authors)
        for name in ("delete_stale_coauthorships", "merge_coauthorships"):
            self._write_batches(
                session, name, hcp_ids, param="hcp_ids", size=self.coauthor_batch_size
            )

    # -- driver plumbing ------------------------------------------------------------------

    def _write_batches(
        self,
        session: Session,
        name: str,
        rows: list,
        progress: Progress = no_progress,
        *,
        param: str = "rows",
        size: int | None = None,
        weigh: Callable[[list], int] = len,
    ) -> None:
        """Run query ``name`` once per batch of ``rows``, each in its own write transaction;
        ``progress`` hears ``weigh(batch)`` rows (grouped rows count what they hold)."""
        text = self._queries.get(name)
        for chunk in chunks(rows, size or self.batch_size):
            session.execute_write(_run, text, {param: chunk})
            progress(weigh(chunk))

    def _read(self, name: str, **params) -> list[dict]:
        """The rows (as dicts) of read query ``name``, routed to a reader."""
        with self._errors(), self._session() as session:
            return session.execute_read(_fetch_dicts, self._queries.get(name), params)

    def _read_rows(self, name: str) -> list[dict]:
        """The maps of read query ``name``, which returns them in lists (column ``rows``).

        The driver spends far more on a record than on a map inside one, so whole tables
        come back as a few records holding many maps each.
        """
        with self._errors(), self._session() as session:
            return session.execute_read(_fetch_rows, self._queries.get(name))

    def _execute(self, name: str, **params) -> None:
        """Run write query ``name`` alone, in its own managed transaction."""
        with self._errors(), self._session() as session:
            session.execute_write(_run, self._queries.get(name), params)

    def _session(self) -> Session:
        """A session on our database.

        It shares the driver's ``execute_query`` bookmarks, so a read sees every earlier
        write of this store even on a cluster; and the server does not send "unknown label
        or property" warnings, which an empty database triggers on every query.
        """
        return self._driver.session(
            database=self._database,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
            notifications_disabled_categories=[NotificationDisabledCategory.UNRECOGNIZED],
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
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


def _run(tx, text: str, params: dict) -> None:
    tx.run(text, params).consume()


def _fetch_dicts(tx, text: str, params: dict) -> list[dict]:
    """The records as dicts of what the driver decoded.  Not ``Record.data()``: our queries
    return lists, maps and scalars (never nodes), and its deep walk over every value cost
    ~45 ms on a 3,000-row gaps answer."""
    return [dict(record) for record in tx.run(text, params)]


def _fetch_rows(tx, text: str) -> list[dict]:
    return [row for record in tx.run(text) for row in record["rows"]]


# -- helpers --------------------------------------------------------------------------------


def _driver(settings: Neo4jSettings) -> Driver:
    """A driver for ``settings.uri`` (``neo4j://``, ``neo4j+s://``, ``bolt://`` ...)."""
    try:
        return GraphDatabase.driver(settings.uri, auth=(settings.username, settings.password))
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"NEO4J_URI {settings.uri!r} is not a Neo4j URI: {exc}") from None


def _table(name: str) -> Table:
    """The canonical table ``name``; a name that is none is a caller's bug (ValueError)."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}") from None


def _entity_table(name: str) -> Table:
    table = _table(name)
    if not table.label:
        raise ValueError(f"{table.name!r} is not an entity table")
    return table


def _rows_in(batch: Batch, table: Table) -> bool:
    frame = batch.get(table.name)
    return frame is not None and len(frame) > 0


def _missing(value) -> bool:
    """True for None, NaN and pd.NA (not for containers, which pd.isna would expand)."""
    return value is None or (
        not isinstance(value, (list, tuple, dict, np.ndarray)) and pd.isna(value)
    )


def _clean_list(value) -> list[str]:
    """A list cell as the driver should see it: a list of str (missing: empty)."""
    if type(value) is list and all(type(v) is str for v in value):
        return value  # as validation leaves it
    return [] if _missing(value) else [str(v) for v in value if not _missing(v)]


def _column(frame: pd.DataFrame, column: Column) -> list:
    """One column as the driver should see it: None for a missing cell, Python ints for
    int and year columns, lists of str for list columns (an absent column is all missing)."""
    if column.name not in frame:
        return [[] if column.kind == "list" else None for _ in range(len(frame))]
    series = frame[column.name]
    if column.kind == "list":
        return [_clean_list(v) for v in series]
    present = series.notna().to_numpy()
    values = series.to_numpy(dtype=object)
    if column.kind in _INT_KINDS:
        return [int(v) if p else None for v, p in zip(values, present)]
    return [v if p else None for v, p in zip(values, present)]


def _columns(table: Table, frame: pd.DataFrame) -> dict[str, list]:
    """Every column of ``table`` as the driver should see it (see :func:`_column`)."""
    return {c.name: _column(frame, c) for c in table.columns}


def table_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of ``table_rows`` as an object frame (the values kept exactly as cleaned)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in _columns(table, frame).items()}
    )


def table_rows(table: Table, frame: pd.DataFrame) -> list[dict]:
    """The parameter rows of ``merge_<table>``: one dict of cleaned cells per row.

    ``HCP`` rows also carry the display ``name``, and, when the frame has them (see
    :func:`kolgraph.territories.aligned_hcps`), ``territory_aligned`` (true or null) and
    ``source_territory``.
    """
    columns = _columns(table, frame)
    if table.name == "hcps":
        columns["name"] = list(map(hcp_name, columns["first_name"], columns["last_name"]))
        aligned = (
            frame["territory_aligned"] if "territory_aligned" in frame else [None] * len(frame)
        )
        columns["territory_aligned"] = [True if not _missing(a) and a else None for a in aligned]
        sources = frame["source_territory"] if "source_territory" in frame else [None] * len(frame)
        columns["source_territory"] = [None if _missing(v) else v for v in sources]
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def self_contained(batch: Batch) -> bool:
    """Whether the batch has authorships, each dated by a publication of the batch."""
    auth, pubs = batch.get("authorships"), batch.get("publications")
    if auth is None or pubs is None or not len(auth):
        return False
    return bool(auth["pmid"].isin(pubs["pmid"]).all())


def first_authorships(frame: pd.DataFrame) -> pd.DataFrame:
    """``create_authorships`` rows before grouping: hcp_id, pmid, position, and last_author
    (the highest position; a first load has each publication's whole author list)."""
    positions = pd.to_numeric(frame["position"]).astype("int64")
    last = positions == positions.groupby(frame["pmid"]).transform("max")
    return pd.DataFrame(
        {
            "hcp_id": frame["hcp_id"].astype(object),
            "pmid": frame["pmid"].astype(object),
            "position": positions,
            "last_author": last.astype(bool),
        }
    )


def coauthorship_jobs(batch: Batch, size: int) -> list[Job]:
    """``create_coauthorships`` batches of the pairs computed from the batch, grouped per
    smaller hcp_id; weight 0, as they are derived rather than loaded rows."""
    pairs = coauthorship_pairs(batch["authorships"], batch["publications"])
    jobs = link_jobs(
        "create_coauthorships",
        pairs[list(COAUTHORSHIP_COLUMNS)],
        [("HCP", "hcp_a"), ("HCP", "hcp_b")],
        size,
        group=("hcp_a", "partners"),
    )
    return weightless(jobs)


def touched_pmids(batch: Batch) -> list[str]:
    """The publications a batch loads or adds authors to (sorted, unique)."""
    pmids: set[str] = set()
    for name in ("publications", "authorships"):
        frame = batch.get(name)
        if frame is not None and len(frame):
            pmids.update(p for p in frame["pmid"] if not _missing(p))
    return sorted(pmids)


def score_rows(frame: pd.DataFrame) -> list[dict]:
    """The parameter rows of ``set_scores``, one per HCP of a score frame."""

    def column(name, convert):
        return [None if _missing(v) else convert(v) for v in frame[name]]

    return [
        {
            "hcp_id": h,
            "influence": i,
            "tier": t,
            "rank": r,
            "components_json": c,
            "rising": bool(ri),
            "rising_score": rs,
        }
        for h, i, t, r, c, ri, rs in zip(
            column("hcp_id", str),
            column("influence", float),
            column("tier", int),
            column("rank", int),
            column("components", _components_json),
            column("rising", bool),
            column("rising_score", float),
        )
    ]


def _components_json(components) -> str:
    """A score's components as JSON (numpy numbers become plain Python numbers)."""
    return json.dumps(dict(components or {}), default=_plain)


def _plain(value):
    """Numpy scalars as Python scalars, for :func:`json.dumps`."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"score component {value!r} is not a number")


def _frame(columns: dict[str, list], lists: Iterable[str]) -> pd.DataFrame:
    """An object-dtype frame of values read from Neo4j, with a missing list read as ``[]``.

    Neo4j already returns Python ints, lists and None, which object columns keep as they are.
    """
    for name in lists:
        columns[name] = [[] if v is None else v for v in columns[name]]
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})
