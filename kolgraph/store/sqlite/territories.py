"""How the embedded store keeps territory alignments (used by ``EmbeddedStore``).

The alignment lives in two tables (``territory_rules``, ``territory_alignment``); every HCP
row keeps, besides ``territory`` (the one in force), ``territory_aligned`` and
``source_territory`` (see :mod:`kolgraph.territories`).  Storing an alignment re-aligns every
stored HCP in the same transaction, so a reader sees the old territories or the new ones.
"""

from __future__ import annotations

import sqlite3

import pandas as pd

from kolgraph import territories
from kolgraph.store.common import object_frame
from kolgraph.store.sqlite.catalog import sql
from kolgraph.territories import Alignment

#: Hidden columns of ``hcps`` (stored with each row, not returned by ``table``).
HIDDEN_DDL = {"hcps": ("territory_aligned INTEGER NOT NULL DEFAULT 0", "source_territory TEXT")}
HIDDEN = {table: tuple(d.split()[0] for d in ddl) for table, ddl in HIDDEN_DDL.items()}
#: The statements that bring a layout-5 file to layout 6 (postal codes, territory sources).
MIGRATIONS_V6 = (
    "migrate_v6_hcp_postal_code",
    "migrate_v6_hcp_territory_aligned",
    "migrate_v6_hcp_source_territory",
)


def read_alignment(con: sqlite3.Connection) -> Alignment | None:
    """The stored alignment, or ``None`` when none was ever stored."""
    settings = con.execute(sql("read_territory_alignment")).fetchone()
    if settings is None:
        return None
    columns = ("line", *territories.COLUMNS)
    rules = [dict(zip(columns, row)) for row in con.execute(sql("list_territory_rules"))]
    return territories.from_rows(rules, bool(settings[0]), settings[1])


def hidden_values(frame: pd.DataFrame) -> list[list]:
    """The hidden ``hcps`` columns of an aligned frame (:func:`territories.aligned_hcps`)."""
    return [
        [int(bool(v)) for v in frame["territory_aligned"]],
        frame["source_territory"].tolist(),
    ]


def read_places(con: sqlite3.Connection) -> pd.DataFrame:
    """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
    rows = con.execute(sql("list_hcp_places")).fetchall()
    values = list(zip(*rows)) if rows else [()] * len(territories.PLACE_COLUMNS)
    frame = object_frame(dict(zip(territories.PLACE_COLUMNS, map(list, values))))
    frame["territory_aligned"] = frame["territory_aligned"].map(bool).astype(object)
    return frame
