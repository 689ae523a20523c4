"""Writing a batch into Neo4j, and keeping derived data and ``HCP.touch_dates`` right.

Nodes first, then relationships (and touchpoints, which link an MSL and an HCP), each phase
written by parallel, conflict-free sessions (:mod:`.bulk`); the relationship batches are
prepared on another thread while the nodes are written.

**Derived data** (``AUTHORED.last_author``, ``COAUTHORED_WITH``) is refreshed after a load
for what it touched, inside the server (no authorship crosses the wire): the co-author pairs
of every author of a touched publication are recounted over all ``AUTHORED`` relationships
and written only where they changed.  A first load of authorships creates them and their
pairs computed from the batch.  Publications with more authors than the store's co-author
cap make no pair (``docs/influence.md``, "Hyperauthored papers").

**touch_dates.**  Each HCP node keeps ``touch_dates``, the sorted dates of its touchpoints
(no property without one), so gaps queries never read touchpoints.  Into a store without
touchpoints the lists are computed from the batch and written with the relationships;
otherwise they are recomputed in the server after the touchpoints are written, for the HCPs
the batch names and those that moved touchpoints left (read before writing).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kolgraph.coauthorship import coauthorship_pairs
from kolgraph.schema import (
    COAUTHORSHIP_COLUMNS,
    TABLES,
    TABLES_BY_NAME,
    Batch,
    Column,
    Table,
    hcp_name,
)
from kolgraph.store.base import Progress, no_progress
from kolgraph.store.common import missing, self_contained, touched_pmids
from kolgraph.store.neo4j.bulk import Job, chunks, interleave, link_jobs, node_jobs, weightless
from kolgraph.territories import aligned_hcps

if TYPE_CHECKING:
    from kolgraph.store.neo4j.store import Neo4jStore

#: The statements that write each table: (into an empty label or type, otherwise).
WRITE_QUERIES = {
    "hcps": ("create_hcps", "merge_hcps"),
    "institutions": ("create_institutions", "merge_institutions"),
    "publications": ("create_publications", "merge_publications"),
    "trials": ("create_trials", "merge_trials"),
    "msls": ("create_msls", "merge_msls"),
    "affiliations": ("create_affiliations", "merge_affiliations"),
    "trial_roles": ("create_trial_roles", "merge_trial_roles"),
    "authorships": ("create_authorships", "merge_authorships"),
    "touchpoints": ("create_touchpoints", "merge_touchpoints"),
}
#: The node a touch_dates batch locks, for :func:`link_jobs`: the HCP of column ``hcp_id``.
HCP_END = [("HCP", "hcp_id")]
_INT_KINDS = ("int", "year")


def write(store: Neo4jStore, batch: Batch, progress: Progress) -> None:
    """Upsert every table of ``batch`` into ``store``, then refresh derived data; HCPs get
    the territories the stored alignment gives them (:func:`aligned_hcps`)."""
    if _rows_in(batch, TABLES_BY_NAME["hcps"]):
        batch = {**batch, "hcps": aligned_hcps(batch["hcps"], store.alignment())}
    stored = store.stats()  # what the store held before: which rows may be created
    first = self_contained(batch) and not stored["relationships"]["AUTHORED"]
    with ThreadPoolExecutor(1, thread_name_prefix="kolgraph-prepare") as prepare:
        links = prepare.submit(_link_jobs, store, batch, first, stored["relationships"])
        dates = prepare.submit(
            _touch_date_jobs, store, batch.get("touchpoints"), not stored["nodes"]["Touchpoint"]
        )
        store.run_jobs(_node_jobs(store, batch, stored["nodes"]), progress)
        # Read before the touchpoints are written: it holds their old HCPs.
        date_jobs, refresh = dates.result()
        store.run_jobs(interleave([links.result(), date_jobs]), progress)
    if refresh:
        refresh_touch_dates(store, refresh)
    pmids = touched_pmids(batch)
    if pmids and not first:
        _refresh_derived(store, pmids)


def _node_jobs(store: Neo4jStore, batch: Batch, stored: dict[str, int]) -> list[Job]:
    """Batches of every node table without references (HCPs, publications...).

    Into a label with no nodes yet (``stored``: node count per label), rows with unique keys
    are CREATEd, which costs the server far less than MERGE; otherwise they are merged.
    """
    jobs = []
    for table in TABLES:
        if table.references or not _rows_in(batch, table):
            continue
        (key,) = table.key
        fresh = stored[table.graph_name] == 0 and batch[table.name][key].is_unique
        create, merge = WRITE_QUERIES[table.name]
        encode = partial(table_rows, table)
        jobs.append(
            node_jobs(
                create if fresh else merge, batch[table.name], store.batch_size, encode=encode
            )
        )
    return interleave(jobs)


def _link_jobs(store: Neo4jStore, batch: Batch, first: bool, stored: dict[str, int]) -> list[Job]:
    """Batches of every table with references, split by the colours of their ends.

    A first load CREATEs authorships (grouped per HCP) and the co-author pairs computed from
    the batch: the store held no authorship, keys are unique within a batch, and a retried
    transaction was rolled back before it reruns.  Likewise affiliations and trial roles are
    created into a store holding none of their type (``stored``: relationship count per
    type).  Touchpoints whose keys are not stored yet are created, the others merged.
    """
    jobs = []
    for table in TABLES:
        if not table.references or not _rows_in(batch, table):
            continue
        ends = [(TABLES_BY_NAME[target].graph_name, column) for column, target in table.references]
        frame, (create, merge) = batch[table.name], WRITE_QUERIES[table.name]
        if first and table.name == "authorships":
            rows = first_authorships(frame)
            group = ("hcp_id", "publications")
            jobs.append(link_jobs(create, rows, ends, store.batch_size, group=group))
        elif table.name == "touchpoints":
            rows = table_frame(table, frame)
            new = _new_keys(store, table, rows)
            jobs.append(link_jobs(create, rows[new], ends, store.batch_size))
            jobs.append(link_jobs(merge, rows[~new], ends, store.batch_size))
        else:
            fresh = stored[table.graph_name] == 0 and not frame.duplicated(list(table.key)).any()
            rows = table_frame(table, frame)
            jobs.append(link_jobs(create if fresh else merge, rows, ends, store.batch_size))
    if first:
        jobs.append(coauthorship_jobs(batch, store.batch_size, store.coauthor_max_authors))
    return interleave(jobs)


def _new_keys(store: Neo4jStore, table: Table, rows: pd.DataFrame) -> np.ndarray:
    """Which ``rows`` of an entity table have a key not stored yet (a boolean mask)."""
    (key,) = table.key
    stored = store.existing_keys(table.name, rows[key].tolist())
    return ~rows[key].isin(stored).to_numpy()


def _refresh_derived(store: Neo4jStore, pmids: list[str]) -> None:
    """Recompute last authors and co-author pairs around the touched publications, in the
    server, writing only pairs that changed."""
    store.write_batches("set_last_author", pmids, param="pmids")
    authors: set[str] = set()
    for chunk in chunks(pmids, store.batch_size):
        (row,) = store.read("read_publication_authors", pmids=list(chunk))
        authors.update(row["hcp_ids"])
    hcp_ids = sorted(authors)
    cap = {"max_authors": store.coauthor_max_authors}
    for name in ("delete_stale_coauthorships", "merge_coauthorships"):
        store.write_batches(
            name, hcp_ids, param="hcp_ids", size=store.coauthor_batch_size, params=cap
        )


# --- touch_dates ------------------------------------------------------------------------------


def _touch_date_jobs(
    store: Neo4jStore, touchpoints: pd.DataFrame | None, first: bool
) -> tuple[list[Job], set[str]]:
    """How a load of ``touchpoints`` keeps ``touch_dates``: jobs to run with its
    relationship batches, and the HCPs to refresh after them.

    Into a store without touchpoints (``first``), the batch holds every touch of each HCP:
    the lists are computed here and written among the relationship batches (their tokens
    keep them apart from batches touching the same HCPs).  Otherwise the HCPs that stored
    touchpoints will leave (a row names another HCP) are read now, before the touchpoints
    are written; they and the HCPs the batch names are refreshed after.
    """
    if touchpoints is None or not len(touchpoints):
        return [], set()
    if first:
        dates = batch_touch_dates(touchpoints)
        return weightless(link_jobs("set_touch_dates", dates, HCP_END, store.batch_size)), set()
    return [], set(touchpoints["hcp_id"]) | _moved_touchpoint_owners(store, touchpoints)


def _moved_touchpoint_owners(store: Neo4jStore, touchpoints: pd.DataFrame) -> set[str]:
    """The HCPs stored touchpoints of ``touchpoints`` link to, where a row names another."""
    rows = touchpoints[["touchpoint_id", "hcp_id"]].astype(object).to_dict("records")
    owners: set[str] = set()
    for chunk in chunks(rows, store.batch_size):
        (row,) = store.read("read_moved_touchpoint_owners", rows=list(chunk))
        owners.update(row["hcp_ids"])
    return owners


def refresh_touch_dates(store: Neo4jStore, hcp_ids: Iterable[str]) -> None:
    """Recompute ``touch_dates`` of ``hcp_ids`` in the server, in batches written by
    parallel sessions that never share an HCP (:func:`link_jobs` colours)."""
    frame = pd.DataFrame({"hcp_id": pd.Series(sorted(set(hcp_ids)), dtype=object)})
    store.run_jobs(link_jobs("refresh_touch_dates", frame, HCP_END, store.batch_size), no_progress)


def batch_touch_dates(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """``hcp_id`` and ``touch_dates`` (sorted dates) of each HCP a touchpoints frame names."""
    ordered = touchpoints.sort_values(["hcp_id", "date"], kind="stable")
    lists = ordered.groupby("hcp_id", sort=False)["date"].agg(list)
    return pd.DataFrame(
        {
            "hcp_id": pd.Series(lists.index, dtype=object),
            "touch_dates": pd.Series(lists.to_list(), dtype=object),
        }
    )


# --- rows as the driver should see them ---------------------------------------------------------


def _rows_in(batch: Batch, table: Table) -> bool:
    frame = batch.get(table.name)
    return frame is not None and len(frame) > 0


def _clean_list(value: object) -> list[str]:
    """A list cell as the driver should see it: a list of str (missing: empty)."""
    if type(value) is list and all(type(v) is str for v in value):
        return value  # as validation leaves it
    return [] if missing(value) else [str(v) for v in value if not missing(v)]  # type: ignore[attr-defined]


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
    return {c.name: _column(frame, c) for c in table.columns}


def table_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of ``table_rows`` as an object frame (the values kept exactly as cleaned)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in _columns(table, frame).items()}
    )


def table_rows(table: Table, frame: pd.DataFrame) -> list[dict]:
    """The parameter rows of a node table's write: one dict of cleaned cells per row
    (``HCP`` rows also carry the display ``name``, and, when the frame has them, see
    :func:`kolgraph.territories.aligned_hcps`, ``territory_aligned`` (true or null) and
    ``source_territory``)."""
    columns = _columns(table, frame)
    if table.name == "hcps":
        columns["name"] = list(map(hcp_name, columns["first_name"], columns["last_name"]))
        columns |= _territory_sources(frame)
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _territory_sources(frame: pd.DataFrame) -> dict[str, list]:
    """``territory_aligned`` (true or null, never false) and ``source_territory`` of HCP rows."""
    blank = [None] * len(frame)
    aligned = frame.get("territory_aligned", blank)
    sources = frame.get("source_territory", blank)
    return {
        "territory_aligned": [True if not missing(a) and a else None for a in aligned],
        "source_territory": [None if missing(v) else v for v in sources],
    }


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


def coauthorship_jobs(batch: Batch, size: int, max_authors: int) -> list[Job]:
    """``create_coauthorships`` batches of the pairs computed from the batch (publications with
    at most ``max_authors`` authors), grouped per smaller hcp_id; weight 0, as they are
    derived rather than loaded rows."""
    pairs = coauthorship_pairs(batch["authorships"], batch["publications"], max_authors)
    jobs = link_jobs(
        "create_coauthorships",
        pairs[list(COAUTHORSHIP_COLUMNS)],
        [("HCP", "hcp_a"), ("HCP", "hcp_b")],
        size,
        group=("hcp_a", "partners"),
    )
    return weightless(jobs)
