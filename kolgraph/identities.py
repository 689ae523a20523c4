"""Identity evidence: why a source's author or investigator was resolved to an HCP.

Source loaders (PubMed, NPPES, ClinicalTrials.gov, Open Payments) resolve names to people and
keep, per person, the evidence and a confidence.  It is kept beside the graph in
``KOLGRAPH_HOME/identities.sqlite3`` (whatever the backend), written after a load succeeds,
and shown by ``kolgraph explain-identity``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path

import pandas as pd

from kolgraph.corrections import MERGE, Correction
from kolgraph.cross_source import Link
from kolgraph.errors import NotFoundError, StoreUnavailable
from kolgraph.loaders.authors import IDENTITY_COLUMNS
from kolgraph.private_files import create_private
from kolgraph.schema import records
from kolgraph.store import GraphStore

#: The columns of an evidence row.  Only PubMed fills ``split_pmids`` (the papers a split at a
#: person's weakest model merge would take off); other sources' frames lack it.
COLUMNS = IDENTITY_COLUMNS
_SCHEMA = """
CREATE TABLE IF NOT EXISTS identities (
    hcp_id TEXT NOT NULL, source TEXT NOT NULL, source_ref TEXT NOT NULL,
    name_as_written TEXT, method TEXT, confidence REAL, evidence TEXT, recorded_at TEXT NOT NULL,
    split_pmids TEXT,
    PRIMARY KEY (hcp_id, source, source_ref)
)"""


def record_identities(home: Path, identities: pd.DataFrame | None) -> int:
    """Upsert the evidence rows of one load; returns how many were written."""
    if identities is None or identities.empty:
        return 0
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = list(zip(*_text_columns(identities), repeat(now)))
    with _connect(home) as con:
        con.executemany(_SUPERSEDED, _superseded(con, rows))
        con.executemany(
            f"INSERT OR REPLACE INTO identities ({', '.join(COLUMNS)}, recorded_at) "
            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            rows,
        )
    return len(rows)


_SUPERSEDED = "DELETE FROM identities WHERE hcp_id = ? AND source = 'pubmed' AND source_ref = ?"


def _superseded(con: sqlite3.Connection, rows: list[tuple]) -> list[tuple[str, str]]:
    """The PubMed evidence rows a new row replaces: a person a later file gave more papers
    is one row over all of them, not one more row beside the one over fewer."""
    papers = {row[0]: row[2] for row in rows if row[1] == "pubmed"}
    stored = con.execute(
        "SELECT hcp_id, source_ref FROM identities WHERE source = 'pubmed' "
        "AND hcp_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(papers)),),
    )
    return [
        (hcp_id, ref)
        for hcp_id, ref in stored
        if ref != papers[hcp_id] and set(ref.split(";")) <= set(papers[hcp_id].split(";"))
    ]


def explain_identity(home: Path, store: GraphStore, hcp_id: str) -> dict:
    """The HCP as stored, and every piece of identity evidence recorded for them."""
    hcps = store.tables_around(hcp_id)["hcps"]  # the HCP and co-authors: not the whole table
    match = hcps[hcps["hcp_id"] == hcp_id]
    if match.empty:
        raise NotFoundError(f"unknown HCP {hcp_id}")
    with _connect(home) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute(
            "SELECT * FROM identities WHERE hcp_id = ? ORDER BY source, source_ref", (hcp_id,)
        ).fetchall()
    return {"hcp": records(match)[0], "evidence": [dict(r) for r in rows]}


def all_evidence(home: Path) -> list[dict]:
    """Every recorded evidence row (for ``kolgraph identity review``)."""
    with _connect(home) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM identities ORDER BY hcp_id")]


def hcp_evidence(home: Path, hcp_id: str) -> list[dict]:
    """The evidence rows of one HCP (a profile's review: an indexed read, not the table)."""
    with _connect(home) as con:
        con.row_factory = sqlite3.Row
        found = con.execute(
            "SELECT * FROM identities WHERE hcp_id = ? ORDER BY source, source_ref", (hcp_id,)
        )
        return [dict(r) for r in found]


def record_correction(home: Path, correction: Correction) -> None:
    """Keep a steward correction as evidence: a merge gives the folded HCP's evidence to the
    kept one; either adds a ``steward`` row naming who did what."""
    rows = [_steward_row(correction, correction.hcp_id)]
    if correction.kind != MERGE:
        rows.append(_steward_row(correction, correction.other_id))
    _record_merge(home, correction, rows)


def record_links(home: Path, links: Sequence[tuple[Link, Correction]]) -> None:
    """Keep each cross-source link as evidence of its kept HCP (``source`` ``cross-source``),
    which also takes the evidence of the HCP folded into it."""
    for link, correction in links:
        row = (
            link.keep_id,
            "cross-source",
            f"correction {correction.correction_id}",
            None,
            link.method,
            link.confidence,
            "; ".join(link.evidence),
            None,
            correction.recorded_at,
        )
        _record_merge(home, correction, [row])


def _record_merge(home: Path, correction: Correction, rows: list[tuple]) -> None:
    with _connect(home) as con:
        if correction.kind == MERGE:
            con.execute(
                "UPDATE OR REPLACE identities SET hcp_id = ? WHERE hcp_id = ?",
                (correction.hcp_id, correction.other_id),
            )
        con.executemany(
            f"INSERT OR REPLACE INTO identities ({', '.join(COLUMNS)}, recorded_at) "
            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            rows,
        )


def _steward_row(correction: Correction, hcp_id: str) -> tuple:
    if correction.kind == MERGE:
        what = f"{correction.other_id} merged into {correction.hcp_id}"
    else:
        papers = ", ".join(correction.pmids)
        what = f"PMID {papers} split from {correction.hcp_id} into {correction.other_id}"
    by = f" by {correction.steward}" if correction.steward else ""
    return (
        hcp_id,
        "steward",
        f"correction {correction.correction_id}",
        None,
        f"steward {correction.kind}",
        1.0,
        f"{what}{by}",
        None,
        correction.recorded_at,
    )


def _text_columns(identities: pd.DataFrame) -> list[list]:
    """The :data:`COLUMNS` as lists of stored values (missing ones None), converted a
    column at a time: no dict per row (a 40,000-author file: a fifth of a second)."""
    frame = identities.reindex(columns=list(COLUMNS))  # only PubMed suggests splits
    clean = frame.astype(object).where(frame.notna(), None)  # as schema.records cleans
    return [[_text(value) for value in clean[c].tolist()] for c in COLUMNS]


def _text(value):
    if value is None or isinstance(value, (int, float, str)):
        return value
    return "; ".join(map(str, value)) if isinstance(value, (list, tuple, set)) else str(value)


def _add_split_column(con: sqlite3.Connection) -> None:
    """Give a file written before split suggestions their column (empty until a reload)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(identities)")}
    if "split_pmids" not in columns:
        with con:
            con.execute("ALTER TABLE identities ADD COLUMN split_pmids TEXT")


@contextlib.contextmanager
def _connect(home: Path):
    try:
        create_private(home / "identities.sqlite3")
        con = sqlite3.connect(home / "identities.sqlite3", timeout=10)
        con.execute(_SCHEMA)
        _add_split_column(con)
    except sqlite3.Error as error:
        raise StoreUnavailable(f"{home / 'identities.sqlite3'}: {error}") from None
    try:
        with con:
            yield con
    finally:
        con.close()
