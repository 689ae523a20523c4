"""Territory alignment and CRM look-ups on Neo4j (a mixin of ``Neo4jStore``).

The alignment is one ``TerritoryAlignment`` node (settings) and one ``TerritoryRule`` node per
rule; every HCP node keeps, besides ``territory`` (the one in force), ``territory_aligned``
and ``source_territory`` (see :mod:`kolgraph.territories`).  The rules are replaced in one
write transaction; HCPs are then re-aligned in batches, each idempotent, so storing the same
alignment again completes an interrupted run.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Protocol

import pandas as pd
from neo4j import Session

from kolgraph import territories
from kolgraph.cypher import QueryCatalog
from kolgraph.store.neo4j.bulk import chunks
from kolgraph.territories import Alignment


class _Store(Protocol):
    """What the mixin uses of ``Neo4jStore``."""

    _queries: QueryCatalog
    batch_size: int

    def read(self, name: str, **params: object) -> list[dict]: ...

    def read_rows(self, name: str) -> list[dict]: ...

    def errors(self) -> AbstractContextManager[None]: ...

    def session(self) -> Session: ...

    def hcp_places(self) -> pd.DataFrame: ...


class Neo4jTerritories:
    """``alignment``, ``set_alignment``, ``hcp_places``, ``known_territories``,
    ``hcp_ids_by_npi``, ``hcp_npis`` and ``msl_ids_by_email``."""

    def alignment(self: _Store) -> Alignment | None:
        """The stored territory alignment (``None`` when none was stored)."""
        rows = self.read("read_territory_alignment")
        if not rows:
            return None
        (row,) = rows
        return territories.from_rows(row["rules"], bool(row["override"]), row["source"])

    def set_alignment(self: _Store, alignment: Alignment) -> int:
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
            session.execute_write(_run_all, statements)
        changed = territories.realigned(self.hcp_places(), alignment)
        rows = territory_rows(changed)
        with self.errors(), self.session() as session:
            for chunk in chunks(rows, self.batch_size):
                session.execute_write(
                    _run_all, [(self._queries.get("set_hcp_territories"), {"rows": chunk})]
                )
        return len(rows)

    def hcp_places(self: _Store) -> pd.DataFrame:
        """Every HCP's place and territory (:data:`kolgraph.territories.PLACE_COLUMNS`)."""
        rows = self.read_rows("list_hcp_places")
        frame = pd.DataFrame(
            {
                c: pd.Series([r.get(c) for r in rows], dtype=object)
                for c in territories.PLACE_COLUMNS
            }
        )
        frame["territory_aligned"] = frame["territory_aligned"].map(bool).astype(object)
        return frame.sort_values("hcp_id", kind="stable").reset_index(drop=True)

    def known_territories(self: _Store) -> list[str]:
        """Every territory of an HCP, an MSL or an alignment rule, sorted."""
        return [row["territory"] for row in self.read("list_territories")]

    def hcp_ids_by_npi(self: _Store, npis: Iterable[str]) -> dict[str, list[str]]:
        """NPI -> the ids of the HCPs holding it, for the given NPIs any HCP holds."""
        found: dict[str, list[str]] = {}
        for chunk in chunks(list(dict.fromkeys(npis)), self.batch_size):
            for row in self.read("match_hcp_npis", npis=chunk):
                found.setdefault(row["npi"], []).append(row["hcp_id"])
        return found

    def hcp_npis(self: _Store, hcp_ids: Iterable[str]) -> dict[str, str]:
        """hcp_id -> NPI, for the given HCPs that have one."""
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(hcp_ids)), self.batch_size):
            found.update((r["hcp_id"], r["npi"]) for r in self.read("read_hcp_npis", hcp_ids=chunk))
        return found

    def msl_ids_by_email(self: _Store) -> dict[str, list[str]]:
        """Lower-case e-mail -> the ids of the MSLs with that e-mail (in any case)."""
        found: dict[str, list[str]] = {}
        for row in self.read("list_msl_emails"):
            found.setdefault(row["email"].lower(), []).append(row["msl_id"])
        return found


def territory_rows(frame: pd.DataFrame) -> list[dict]:
    """``set_hcp_territories`` rows (``territory_aligned`` true or absent, never false)."""
    return [
        {
            "hcp_id": h,
            "territory": t,
            "territory_aligned": True if a else None,
            "source_territory": s,
        }
        for h, t, a, s in zip(
            frame["hcp_id"],
            frame["territory"],
            frame["territory_aligned"],
            frame["source_territory"],
        )
    ]


def _run_all(tx, statements: list[tuple[str, dict]]) -> None:
    """Several statements in one transaction (a retry reruns them all: idempotent)."""
    for text, params in statements:
        tx.run(text, params).consume()
