"""Influence scores as the CLI and the web app use them: computed from a store, kept in it.

Scoring pulls one projection from the store, runs the analytics in Python, and writes every
score back in one batch, so both stores hold the same numbers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from kolgraph.analytics import Projection, explain_hcp, load_scoring_config, score_hcps
from kolgraph.errors import InputError
from kolgraph.store import GraphStore

TOP_COLUMNS = ("hcp_id", "name", "rank", "influence", "tier", "components")
RISING_COLUMNS = ("hcp_id", "name", "rank", "influence", "tier", "rising_score", "components")


def rescore(store: GraphStore, home: Path, as_of: date | None = None) -> pd.DataFrame:
    """Score every HCP in ``store`` (weights from ``home/scoring.toml``) and store the scores."""
    config = load_scoring_config(home)
    scores = score_hcps(Projection.from_store(store), config, as_of=_year(as_of))
    store.write_scores(scores)
    return scores


def top_hcps(store: GraphStore, limit: int = 20, territory: str | None = None,
             rising: bool = False) -> list[dict]:
    """HCPs by influence rank (or, with ``rising``, rising stars by growth), best first."""
    if limit < 1:
        raise InputError("--limit must be at least 1")
    if not rising:
        return store.top_hcps(limit, territory)  # the store reads only the rows returned
    table = _scored_hcps(store)
    if territory:
        table = table[table["territory"] == territory]
    table = table[table["rising"]].sort_values(["rising_score", "rank"], ascending=[False, True])
    return [_plain(row) for row in table.head(limit)[list(RISING_COLUMNS)].to_dict("records")]


def explain(store: GraphStore, home: Path, hcp_id: str, as_of: date | None = None) -> dict:
    """The score breakdown of one HCP with its evidence (papers, co-authors, trials)."""
    return explain_hcp(Projection.from_store(store), store.scores(), hcp_id,
                       load_scoring_config(home), as_of=_year(as_of))


def _scored_hcps(store: GraphStore) -> pd.DataFrame:
    hcps = store.table("hcps")[["hcp_id", "name", "territory"]]
    return hcps.merge(store.scores(), on="hcp_id", how="inner")


def _year(as_of: date | None) -> int | None:
    return as_of.year if as_of else None


def _plain(row: dict) -> dict:
    """numpy scalars as Python numbers, so JSON and tables print them plainly."""
    return {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
