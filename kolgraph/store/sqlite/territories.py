"""Territory alignment and CRM look-ups on the embedded store (a mixin of ``EmbeddedStore``).

The alignment lives in two tables (``territory_rules``, ``territory_alignment``); every HCP
row keeps, besides ``territory`` (the one in force), ``territory_aligned`` and
``source_territory`` (see :mod:`kolgraph.territories`).  Storing an alignment re-aligns every
stored HCP in the same transaction, so a reader sees the old territories or the new ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import pandas as pd

from kolgraph import territories
from kolgraph.store.common import object_frame
from kolgraph.store.sqlite.catalog import json_list, sql
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


class _Store(Protocol):
    """What the mixin uses of ``EmbeddedStore``."""

    @property
    def con(self) -> sqlite3.Connection: ...

    def errors(self, doing: str) -> AbstractContextManager[None]: ...

    def transaction(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

    def select(self, name: str, doing: str, params: Sequence | dict = ()) -> list[tuple]: ...


class SqliteTerritories:
    """``alignment``, ``set_alignment``, ``hcp_places``, ``known_territories``,
    ``hcp_ids_by_npi``, ``hcp_npis`` and ``msl_ids_by_email``."""

    def alignment(self: _Store) -> Alignment | None:
        """The stored territory alignment (``None`` when none was stored)."""
        with self.errors("read the alignment"):
            return read_alignment(self.con)

    def set_alignment(self: _Store, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other) and re-align every stored HCP, in one
        transaction; returns how many HCPs changed territory."""
        with self.transaction("store the alignment") as con:
            con.execute(sql("delete_territory_rules"))
            con.executemany(sql("insert_territory_rule"), territories.rule_rows(alignment))
            settings = {"source": alignment.source, "override": int(alignment.override)}
            con.execute(sql("write_territory_alignment"), settings)
            changed = territories.realigned(_places(con), alignment)
            rows = changed.assign(territory_aligned=changed["territory_aligned"].map(int))
            con.executemany(sql("set_hcp_territory"), rows.to_dict("records"))
        return len(changed)

    def hcp_places(self: _Store) -> pd.DataFrame:
        """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
        with self.errors("read HCP places"):
            return _places(self.con)

    def known_territories(self: _Store) -> list[str]:
        """Every territory of an HCP, an MSL or an alignment rule, sorted."""
        return [t for (t,) in self.select("list_territories", "read territories")]

    def hcp_ids_by_npi(self: _Store, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> the ids of the HCPs holding it, for the given NPIs any HCP holds."""
        rows = self.select("read_hcp_ids_by_npi", "read NPIs", {"npis": json_list(npis)})
        return _grouped(rows)

    def hcp_npis(self: _Store, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""
        return dict(self.select("read_hcp_npis", "read NPIs", {"hcp_ids": json_list(hcp_ids)}))

    def msl_ids_by_email(self: _Store) -> dict[str, list[str]]:
        """Lower-case e-mail -> the ids of the MSLs with that e-mail (in any case)."""
        rows = self.select("list_msl_emails", "read MSL e-mails")
        return _grouped((email.lower(), msl_id) for email, msl_id in rows)


def _places(con: sqlite3.Connection) -> pd.DataFrame:
    rows = con.execute(sql("list_hcp_places")).fetchall()
    values = list(zip(*rows)) if rows else [()] * len(territories.PLACE_COLUMNS)
    frame = object_frame(dict(zip(territories.PLACE_COLUMNS, map(list, values))))
    frame["territory_aligned"] = frame["territory_aligned"].map(bool).astype(object)
    return frame


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped
