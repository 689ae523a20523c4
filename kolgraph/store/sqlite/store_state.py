"""What the embedded store's caches of its data are kept by: ``store_version``'s one row.

Every write transaction counts ``version`` up and sets a new random ``stamp``.  The count
orders writes; the stamp tells one file's history from another's at the same count: a
backup copied over the file in place (same inode, same epoch) and written up to a version
the replaced file had reached has that version again, but never its stamp.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from kolgraph.store.sqlite.catalog import sql


class StoreState(NamedTuple):
    """The state of the data a write transaction left: its count and its random stamp."""

    version: int
    stamp: str


def read(con: sqlite3.Connection) -> StoreState:
    """The state of the data ``con`` sees (in its transaction, if one is open)."""
    version, stamp = con.execute(sql("read_store_version")).fetchone()
    return StoreState(version, stamp)


def bump(con: sqlite3.Connection) -> StoreState:
    """Count the write in progress in ``con``'s transaction and give it a new stamp; the
    state it makes (read inside the transaction: another write may follow at once)."""
    con.execute(sql("bump_store_version"))
    return read(con)
