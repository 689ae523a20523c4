"""Territory alignment and CRM look-ups on the embedded store (a mixin of ``EmbeddedStore``).

The alignment lives in two tables (``territory_rules``, ``territory_alignment``); every HCP
row keeps, besides ``territory`` (the one in force), ``territory_aligned`` and
``source_territory`` (see :mod:`kolgraph.territories`).  Storing an alignment re-aligns every
stored HCP in the same transaction, so a reader sees the old territories or the new ones.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

import pandas as pd

from kolgraph import territories
from kolgraph.territories import Alignment

#: Hidden columns of ``hcps`` (stored with each row, not returned by ``table``).
HIDDEN_DDL = {"hcps": ("territory_aligned INTEGER NOT NULL DEFAULT 0", "source_territory TEXT")}
HIDDEN = {table: tuple(d.split()[0] for d in ddl) for table, ddl in HIDDEN_DDL.items()}

DDL = """
CREATE TABLE IF NOT EXISTS territory_rules (
    line INTEGER PRIMARY KEY, territory TEXT NOT NULL, country TEXT, state TEXT, postal_code TEXT
);
CREATE TABLE IF NOT EXISTS territory_alignment (
    id INTEGER PRIMARY KEY CHECK (id = 1), source TEXT, override INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS hcps_by_npi ON hcps (npi);
"""

_RULES = "SELECT line, territory, country, state, postal_code FROM territory_rules ORDER BY line"
_SETTINGS = "SELECT override, source FROM territory_alignment WHERE id = 1"
_PLACES = f"SELECT {', '.join(territories.PLACE_COLUMNS)} FROM hcps ORDER BY hcp_id"
_SET_TERRITORY = (
    "UPDATE hcps SET territory = ?, territory_aligned = ?, source_territory = ? WHERE hcp_id = ?"
)
_TERRITORIES = """
SELECT territory FROM hcps WHERE territory IS NOT NULL
UNION SELECT territory FROM msls WHERE territory IS NOT NULL
UNION SELECT territory FROM territory_rules
ORDER BY 1
"""


def read_alignment(con: sqlite3.Connection) -> Alignment | None:
    """The stored alignment, or ``None`` when none was ever stored."""
    settings = con.execute(_SETTINGS).fetchone()
    if settings is None:
        return None
    columns = ("line", *territories.COLUMNS)
    rules = [dict(zip(columns, row)) for row in con.execute(_RULES)]
    return territories.from_rows(rules, bool(settings[0]), settings[1])


def hidden_values(frame: pd.DataFrame) -> list[list]:
    """The hidden ``hcps`` columns of an aligned frame (:func:`territories.aligned_hcps`)."""
    return [
        [int(bool(v)) for v in frame["territory_aligned"]],
        frame["source_territory"].tolist(),
    ]


class EmbeddedTerritoryQueries:
    """``alignment``, ``set_alignment``, ``hcp_places``, ``known_territories``,
    ``hcp_ids_by_npi``, ``hcp_npis`` and ``msl_ids_by_email``."""

    def alignment(self) -> Alignment | None:
        """The stored territory alignment (``None`` when none was stored)."""
        with self._errors("read the alignment"):
            return read_alignment(self._con)

    def set_alignment(self, alignment: Alignment) -> int:
        """Store ``alignment`` (replacing any other) and re-align every stored HCP, in one
        transaction; returns how many HCPs changed territory."""
        with self._transaction("store the alignment") as con:
            con.execute("DELETE FROM territory_rules")
            con.executemany(
                "INSERT INTO territory_rules (line, territory, country, state, postal_code) "
                "VALUES (:line, :territory, :country, :state, :postal_code)",
                territories.rule_rows(alignment),
            )
            con.execute(
                "INSERT OR REPLACE INTO territory_alignment (id, source, override) VALUES (1, ?, ?)",
                (alignment.source, int(alignment.override)),
            )
            changed = territories.realigned(_places(con), alignment)
            con.executemany(
                _SET_TERRITORY,
                zip(
                    changed["territory"],
                    [int(bool(v)) for v in changed["territory_aligned"]],
                    changed["source_territory"],
                    changed["hcp_id"],
                ),
            )
        return len(changed)

    def hcp_places(self) -> pd.DataFrame:
        """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
        with self._errors("read HCP places"):
            return _places(self._con)

    def known_territories(self) -> list[str]:
        """Every territory of an HCP, an MSL or an alignment rule, sorted."""
        return [t for (t,) in self._select(_TERRITORIES, "read territories")]

    def hcp_ids_by_npi(self, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> the ids of the HCPs holding it, for the given NPIs any HCP holds."""
        sql = (
            "SELECT npi, hcp_id FROM hcps WHERE npi IN (SELECT value FROM json_each(?)) "
            "ORDER BY npi, hcp_id"
        )
        return _grouped(self._select(sql, "read NPIs", (json.dumps(list(npis)),)))

    def hcp_npis(self, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""
        sql = (
            "SELECT hcp_id, npi FROM hcps WHERE npi IS NOT NULL "
            "AND hcp_id IN (SELECT value FROM json_each(?))"
        )
        return dict(self._select(sql, "read NPIs", (json.dumps(list(hcp_ids)),)))

    def msl_ids_by_email(self) -> dict[str, list[str]]:
        """Lower-case e-mail -> the ids of the MSLs with that e-mail (in any case)."""
        rows = self._select(
            "SELECT email, msl_id FROM msls WHERE email IS NOT NULL ORDER BY msl_id",
            "read MSL e-mails",
        )
        return _grouped((email.lower(), msl_id) for email, msl_id in rows)


def _places(con: sqlite3.Connection) -> pd.DataFrame:
    rows = con.execute(_PLACES).fetchall()
    values = list(zip(*rows)) if rows else [()] * len(territories.PLACE_COLUMNS)
    frame = pd.DataFrame(
        {c: pd.Series(v, dtype=object) for c, v in zip(territories.PLACE_COLUMNS, values)}
    )
    frame["territory_aligned"] = frame["territory_aligned"].map(bool).astype(object)
    return frame


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped
