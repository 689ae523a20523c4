"""Writing a batch into the SQLite file, and keeping derived data right.

Runs inside the store's write transaction.  A first load of authorships takes its co-author
pairs from the batch, computed by numpy on another thread while SQLite writes the tables
(both mostly release the GIL); later loads recount the pairs around the publications they
touch, or all of them when they touch much of the store.  Each HCP's MeSH terms
(``hcp_topics``, which suggestions and search read) are made the same ways: from the batch
on a first load, then recounted for every author of a touched publication, or all at once.
Publications with more authors than the store's co-author cap make no pair
(``docs/influence.md``, "Hyperauthored papers").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from json.encoder import encode_basestring  # type: ignore[attr-defined]

import pandas as pd

from kolgraph.coauthorship import DatedPairs, NumberedAuthorships, dated_pairs
from kolgraph.errors import InputError
from kolgraph.hcp_topics import hcp_topic_rows
from kolgraph.schema import (
    AUTHORSHIPS,
    COAUTHORSHIP_COLUMNS,
    HCPS,
    TABLES,
    TABLES_BY_NAME,
    Batch,
    Table,
    hcp_name,
)
from kolgraph.store.base import Progress
from kolgraph.store.common import self_contained, touched_pmids
from kolgraph.store.sqlite import network_file
from kolgraph.store.sqlite.batch_numbers import batch_numbers
from kolgraph.store.sqlite.catalog import sql
from kolgraph.store.sqlite.territories import HIDDEN, hidden_values

#: Rows per ``executemany`` call (and per progress report).
CHUNK_ROWS = 50_000
#: Above this share of stored publications touched, derived data is rebuilt in one statement.
FULL_REFRESH_SHARE = 0.25
#: Authorships from which a first load makes the MeSH terms per HCP from the batch (numpy)
#: rather than in SQL: SQLite is faster while the papers fit its cache (`pubmed20n0014`,
#: 79,000 authorships: 0.6 s), and several times slower beyond (11.7 M at L: 126 s against
#: 13 s).
TOPICS_FROM_BATCH = 1_000_000
#: Derived columns stored (and returned by ``table``) after a table's canonical columns.
DERIVED_DDL = {
    HCPS.name: ("name TEXT",),
    AUTHORSHIPS.name: ("last_author INTEGER NOT NULL DEFAULT 0",),
}
DERIVED = {table: tuple(d.split()[0] for d in ddl) for table, ddl in DERIVED_DDL.items()}
_INT_KINDS = ("int", "year")


def write(
    con: sqlite3.Connection,
    frames: Batch,
    progress: Progress,
    max_authors: int,
    keep_arrays: bool = False,
) -> dict[str, object]:
    """Upsert ``frames`` by key and refresh derived data (in the caller's transaction); only
    publications with at most ``max_authors`` authorships make co-author pairs.

    ``keep_arrays`` (a first load into an empty store): the kept arrays by kind, made from
    the batch (:mod:`.batch_numbers`); empty when it has no authorships, or when they must
    be read back from the store as after any load."""
    if _count(con, "authorships") == 0 and self_contained(frames):
        return _write_first_authorships(con, frames, progress, max_authors, keep_arrays)
    _upsert_all(con, frames, progress)
    touched = touched_pmids(frames)
    if len(touched) >= FULL_REFRESH_SHARE * _count(con, "publications") and touched:
        _mark_big_papers(con, max_authors)
        con.execute(sql("set_last_author"))
        con.execute("DELETE FROM coauthorships")
        with _indexes_dropped(con, "coauthorships"):
            con.execute(sql("insert_all_coauthorships"))
        con.execute("DELETE FROM hcp_topics")
        _insert_all_topics(con)
    elif touched:
        _refresh_touched(con, touched, max_authors)
    return {}


def _write_first_authorships(
    con: sqlite3.Connection,
    frames: Batch,
    progress: Progress,
    max_authors: int,
    keep_arrays: bool,
) -> dict[str, object]:
    """:func:`write` when the store holds no authorships: the batch's pairs (and MeSH
    terms) are all there are, made by numpy on a helper thread while SQLite writes the
    tables.  The kept arrays are made once the pairs are written: held from the start, they
    were 0.4 GB more through the index rebuilds, the load's memory peaks at L."""
    authorships, publications = frames["authorships"], frames["publications"]
    with ThreadPoolExecutor(1) as helper:
        numbered = helper.submit(NumberedAuthorships.of, authorships)
        pairs = helper.submit(lambda: dated_pairs(numbered.result(), publications, max_authors))
        topics = None
        if len(authorships) >= TOPICS_FROM_BATCH:
            topics = helper.submit(hcp_topic_rows, authorships, publications)
        _upsert_all(con, frames, progress)
        _insert_all_pairs(con, pairs.result())
        numbers = None
        if keep_arrays:
            made = numbered.result(), pairs.result(), authorships, publications
            numbers = helper.submit(batch_numbers, *made)
        if topics is None:
            _insert_all_topics(con)
        else:
            _insert_topic_rows(con, topics.result())
        batch = numbers.result() if numbers is not None else None
    return network_file.kept_from_batch(con, batch) if batch is not None else {}


def _upsert_all(con: sqlite3.Connection, frames: Batch, progress: Progress) -> None:
    for table in TABLES:
        if table.name in frames:
            _upsert(con, table, frames[table.name], progress)


def checked(batch: Batch) -> Batch:
    """The batch's non-empty frames, after checking table names and columns."""
    unknown = sorted(set(batch) - set(TABLES_BY_NAME))
    if unknown:
        raise InputError(f"unknown table(s) in batch: {', '.join(unknown)}")
    for name, frame in batch.items():
        missing = [c for c in TABLES_BY_NAME[name].column_names if c not in frame.columns]
        if missing:
            raise InputError(f"{name}: missing column(s) {', '.join(missing)}")
    return {name: frame for name, frame in batch.items() if len(frame)}


def json_loads(text: str | None) -> list:
    """A stored list column (JSON text) as a list."""
    return json.loads(text) if text else []


def _upsert(con: sqlite3.Connection, table: Table, frame: pd.DataFrame, progress: Progress) -> None:
    statement = _upsert_sql(table)
    # A bulk load into a (nearly) empty table: sorting once to rebuild an index is much
    # cheaper than a million random index inserts.
    bulk = len(frame) > CHUNK_ROWS and len(frame) >= _count(con, table.name)
    with _indexes_dropped(con, table.name, bulk):
        for chunk in _row_chunks(table, frame):
            con.executemany(statement, chunk)
            progress(len(chunk))


def _insert_all_pairs(con: sqlite3.Connection, pairs: DatedPairs) -> None:
    """A first load of authorships: the store held none, so the batch's pairs are all the
    pairs, and ``last_author`` as computed within the batch (:func:`_last_in_batch`) is
    already right."""
    con.execute("DELETE FROM coauthorships")
    with _indexes_dropped(con, "coauthorships"):
        statement = (
            f"INSERT INTO coauthorships ({', '.join(COAUTHORSHIP_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
        )
        for chunk in _pair_rows(pairs):
            con.executemany(statement, chunk)


def _pair_rows(pairs: DatedPairs) -> Iterator[list[tuple]]:
    """The pairs as ``coauthorships`` rows, :data:`CHUNK_ROWS` at a time (not a frame of
    them all: 0.4 GB at L, held through the index rebuild)."""
    edges, ids = pairs.edges, pairs.edges.hcp_ids
    for start in range(0, len(edges.a), CHUNK_ROWS):
        part = slice(start, start + CHUNK_ROWS)
        columns = (
            ids[edges.a[part]].tolist(),
            ids[edges.b[part]].tolist(),
            edges.papers[part].tolist(),
            pairs.first_year[part].tolist(),
            pairs.last_year[part].tolist(),
        )
        yield list(zip(*columns))


def _insert_all_topics(con: sqlite3.Connection) -> None:
    """Every HCP's MeSH terms, into an empty ``hcp_topics``."""
    with _indexes_dropped(con, "hcp_topics"):
        con.execute(sql("insert_all_hcp_topics"))


def _insert_topic_rows(con: sqlite3.Connection, rows: pd.DataFrame) -> None:
    """A first load's MeSH terms per HCP, made from the batch (:func:`hcp_topic_rows`: the
    same rows as ``insert_all_hcp_topics``, without parsing each paper's terms once per
    author), into an empty ``hcp_topics``."""
    with _indexes_dropped(con, "hcp_topics"):
        for chunk in _chunks(rows, ("hcp_id", "term")):
            con.executemany("INSERT INTO hcp_topics (hcp_id, term) VALUES (?, ?)", chunk)


def _recount_topics(con: sqlite3.Connection, choose: str) -> None:
    """Recount whole the MeSH terms of the HCPs statement ``choose`` puts in
    ``temp.recounted`` (a term can go, when a paper loses it or moves to another HCP)."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS recounted (hcp_id TEXT PRIMARY KEY)")
    con.execute("DELETE FROM temp.recounted")
    for name in (choose, "delete_recounted_hcp_topics", "insert_recounted_hcp_topics"):
        con.execute(sql(name))


def _mark_big_papers(
    con: sqlite3.Connection, max_authors: int, among: str = "insert_big_papers"
) -> None:
    """``temp.big_papers``: the publications above the co-author cap; with ``among``, only
    those of the papers that statement's recount reads (a whole count of every paper's
    authors took a second at 500,000 HCPs, for each load and each correction)."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS big_papers (pmid TEXT PRIMARY KEY)")
    con.execute("DELETE FROM temp.big_papers")
    con.execute(sql(among), {"max_authors": max_authors})


def _refresh_touched(con: sqlite3.Connection, touched: list[str], max_authors: int) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (pmid TEXT PRIMARY KEY)")
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS touched_pairs "
        "(hcp_a TEXT, hcp_b TEXT, PRIMARY KEY (hcp_a, hcp_b)) WITHOUT ROWID"
    )
    con.execute("DELETE FROM temp.touched")
    con.execute("DELETE FROM temp.touched_pairs")
    con.executemany("INSERT INTO temp.touched VALUES (?)", ((p,) for p in touched))
    _mark_big_papers(con, max_authors, "insert_big_papers_of_touched")
    for name in (
        "set_touched_last_author",
        "insert_touched_pairs",
        "insert_touched_big_pairs",
        "delete_touched_pairs",
        "insert_touched_coauthorships",
    ):
        con.execute(sql(name))
    _recount_topics(con, "insert_recounted_touched_authors")


def recount_corrected(
    con: sqlite3.Connection, hcp_ids: list[str], pmids: list[str], max_authors: int
) -> None:
    """After a steward correction moved authorships between ``hcp_ids``: their co-author
    pairs and MeSH terms recounted whole (a move can end a pair, which a load never does)
    and the last authors of ``pmids`` refreshed."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS corrected (hcp_id TEXT PRIMARY KEY)")
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (pmid TEXT PRIMARY KEY)")
    con.execute("DELETE FROM temp.corrected")
    con.execute("DELETE FROM temp.touched")
    con.executemany("INSERT OR IGNORE INTO temp.corrected VALUES (?)", ((h,) for h in hcp_ids))
    con.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?)", ((p,) for p in pmids))
    _mark_big_papers(con, max_authors, "insert_big_papers_of_corrected")
    for name in (
        "set_touched_last_author",
        "delete_corrected_coauthorships",
        "insert_corrected_coauthorships",
    ):
        con.execute(sql(name))
    _recount_topics(con, "insert_recounted_corrected")


def move_statements() -> list[str]:
    """A merge's moves, for every table whose rows name an HCP (from the schema, so a new
    one is covered): rows of ``:other_id`` become ``:hcp_id``'s unless that key exists, and
    the rest (links the kept HCP already has) go."""
    statements = []
    for table in TABLES:
        if ("hcp_id", "hcps") in table.references:
            statements.append(
                f"UPDATE OR IGNORE {table.name} SET hcp_id = :hcp_id WHERE hcp_id = :other_id"
            )
            statements.append(f"DELETE FROM {table.name} WHERE hcp_id = :other_id")
    return statements


def _count(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@contextmanager
def _indexes_dropped(con: sqlite3.Connection, table: str, drop: bool = True) -> Iterator[None]:
    """Drop ``table``'s secondary indexes for the block, then rebuild them.

    Runs inside the load's transaction: if the block fails, the rollback restores them.
    """
    if not drop:
        yield
        return
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' "
        "AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        con.execute(f"DROP INDEX {name}")
    yield
    for _name, text in indexes:
        con.execute(text)


def _upsert_sql(table: Table) -> str:
    """``INSERT ... ON CONFLICT(key) DO UPDATE`` setting every non-key column."""
    columns = table.column_names + DERIVED.get(table.name, ()) + HIDDEN.get(table.name, ())
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in table.key)
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
    )


def _row_chunks(table: Table, frame: pd.DataFrame) -> Iterator[list[tuple]]:
    """Parameter tuples for :func:`_upsert_sql`, :data:`CHUNK_ROWS` at a time (all of a
    big table's tuples at once were a gigabyte more at its peak): canonical columns, then
    derived ones, then hidden ones (``hcps``: from
    :func:`~kolgraph.territories.aligned_hcps`)."""
    canonical = frame[list(table.column_names)]
    extra: list[list] = []  # whole-table lists of the derived and hidden columns
    if table is HCPS:
        extra.append(list(map(hcp_name, canonical["first_name"], canonical["last_name"])))
        extra += hidden_values(frame)
    elif table is AUTHORSHIPS:
        extra.append(_last_in_batch(canonical))
    for start in range(0, len(frame), CHUNK_ROWS):
        part = canonical.iloc[start : start + CHUNK_ROWS].astype(object)
        part = part.where(part.notna(), None)
        columns = [_to_sql(part[c.name], c.kind) for c in table.columns]
        columns += [values[start : start + CHUNK_ROWS] for values in extra]
        yield list(zip(*columns))


def _chunks(frame: pd.DataFrame, columns: tuple[str, ...]) -> Iterator[list[tuple]]:
    """``frame``'s rows as tuples of ``columns``, :data:`CHUNK_ROWS` at a time."""
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        yield list(zip(*(part[c].tolist() for c in columns)))


def _to_sql(values: pd.Series, kind: str) -> list:
    if kind in _INT_KINDS:  # also turns numpy integers, which sqlite3 cannot bind, into int
        return [None if v is None else int(v) for v in values]
    if kind == "list":  # JSON arrays of strings without json.dumps' per-call overhead
        return ["[" + ",".join(map(encode_basestring, v)) + "]" if v else "[]" for v in values]
    return values.tolist()


def _last_in_batch(frame: pd.DataFrame) -> list[int]:
    """``last_author`` within the batch; the refresh corrects it against stored rows, and
    starting close to right means it rewrites few rows."""
    position = pd.to_numeric(frame["position"])
    top = position.groupby(frame["pmid"]).transform("max")
    return (position == top).astype(int).tolist()
