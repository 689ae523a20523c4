"""Which HCPs each write changed, so a server follows a logged touchpoint or a correction cheaply.

A server keeps snapshots built from whole tables (:meth:`EmbeddedStore.cached`); any write
makes them stale.  Most writes of a working day are touchpoints, though: an MSL's form, a
CRM export.  Such a write (a load of the store's ``NETWORK_NEUTRAL_TABLES`` only: no
snapshot reads trials or trial roles, and MSLs are a few hundred rows read again), and a
write of score history, records here under the ``store_version`` it makes the HCPs whose
touchpoints it changed, and the stamp of the state it started from (:mod:`.store_state`).
A steward correction records the two HCPs it merged or split the same way, in a table of
its own.  A snapshot older by only such writes, from its own state on, is brought up to
date from those HCPs' touchpoints (and, after corrections, their rows) instead of being
read whole again (the gaps snapshot at L: 4.8 s per worker).  Any other write records
nothing, so a snapshot behind it is read whole.
"""

from __future__ import annotations

import json
import sqlite3
from typing import NamedTuple

import pandas as pd

from kolgraph.store.sqlite import store_state
from kolgraph.store.sqlite.catalog import json_list, sql
from kolgraph.store.sqlite.store_state import StoreState

#: A load of more touchpoints than this is not followed: reading it whole costs no more.
MAX_DELTA_TOUCHPOINTS = 100_000
#: Deltas kept: a snapshot older than this many writes is read whole.
KEPT_DELTAS = 1_000


class Changes(NamedTuple):
    """What the writes between two states changed, when each recorded a delta."""

    touched: set[str]  # HCPs whose touchpoints a load changed
    corrected: list[str]  # HCPs a steward correction merged or split, sorted


def touched_hcps(con: sqlite3.Connection, touchpoints: pd.DataFrame | None) -> set[str] | None:
    """The HCPs whose touchpoints writing ``touchpoints`` changes, read before the write:
    the rows' own HCPs and those the same touchpoint ids belonged to (an upsert may move a
    touchpoint to another HCP).  None when there are too many to be worth following."""
    if touchpoints is None:
        return set()
    if len(touchpoints) > MAX_DELTA_TOUCHPOINTS:
        return None
    held = con.execute(
        sql("read_touchpoint_hcps"),
        {"touchpoint_ids": json_list(touchpoints["touchpoint_id"].tolist())},
    ).fetchall()
    return set(touchpoints["hcp_id"].tolist()) | {hcp_id for (hcp_id,) in held}


def record(con: sqlite3.Connection, hcp_ids: set[str]) -> None:
    """Record ``hcp_ids`` as the touch delta of the write in progress (in its transaction,
    which makes the next ``store_version``) with the stamp of the state it follows, and
    drop deltas too old to follow."""
    _record(con, ("insert_touch_delta", "delete_old_touch_deltas"), hcp_ids)


def record_correction(con: sqlite3.Connection, hcp_ids: list[str]) -> None:
    """Record the HCPs of the steward correction in progress, as :func:`record` does."""
    _record(con, ("insert_correction_delta", "delete_old_correction_deltas"), set(hcp_ids))


def _record(con: sqlite3.Connection, statements: tuple[str, str], hcp_ids: set[str]) -> None:
    """Insert a delta with the first statement, drop the old ones with the second."""
    insert, delete_old = statements
    prior = store_state.read(con)
    version = prior.version + 1
    delta = {"version": version, "prior": prior.stamp, "hcp_ids": json_list(sorted(hcp_ids))}
    con.execute(sql(insert), delta)
    con.execute(sql(delete_old), {"oldest": version - KEPT_DELTAS})


def changes_between(con: sqlite3.Connection, since: StoreState, until: int) -> Changes | None:
    """What the writes from state ``since`` to ``store_version`` ``until`` changed, when
    every write between recorded a delta and the first followed ``since`` itself; None
    otherwise (a delta dropped, a write that records none, or ``since`` of another history:
    a backup restored over the file counts the same versions again).

    The first delta's stamp is enough: the file's deltas are one history, its own."""
    rows = con.execute(
        sql("list_touch_deltas"), {"since": since.version, "until": until}
    ).fetchall()
    if len(rows) != until - since.version or rows[0][1] != since.stamp:
        return None
    touched: set[str] = set()
    corrected: set[str] = set()
    for _version, _prior, hcp_ids, of_correction in rows:
        (corrected if of_correction else touched).update(json.loads(hcp_ids))
    return Changes(touched, sorted(corrected))
