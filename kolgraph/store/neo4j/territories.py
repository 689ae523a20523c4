"""How the Neo4j store keeps territory alignments (used by ``Neo4jStore``).

The alignment is one ``TerritoryAlignment`` node (settings) and one ``TerritoryRule`` node per
rule; every HCP node keeps, besides ``territory`` (the one in force), ``territory_aligned``
and ``source_territory`` (see :mod:`kolgraph.territories`).  The rules are replaced in one
write transaction; HCPs are then re-aligned in batches, each idempotent, so storing the same
alignment again completes an interrupted run.
"""

from __future__ import annotations

import pandas as pd

from kolgraph import territories


def places_frame(rows: list[dict]) -> pd.DataFrame:
    """``list_hcp_places`` rows as :data:`kolgraph.territories.PLACE_COLUMNS`, by ``hcp_id``."""
    columns = territories.PLACE_COLUMNS
    frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})
    frame["territory_aligned"] = frame["territory_aligned"].map(bool).astype(object)
    return frame.sort_values("hcp_id", kind="stable").reset_index(drop=True)


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
