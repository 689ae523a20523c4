"""Influence scores as the CLI and the web app use them: computed from a store, kept in it.

Scoring reads the columns it uses from the store (the co-author network first, so the
betweenness estimate runs while the papers are read), runs the analytics in Python, and
writes every score back in one batch, so both stores hold the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from kolgraph.analytics import Projection, explain_hcp, load_scoring_config, score_hcps
from kolgraph.analytics.explain import DESCRIPTIONS
from kolgraph.analytics.influence import (
    COMPONENTS,
    ScoringConfig,
    betweenness_estimate,
    coauthor_graph,
)
from kolgraph.answers.changes import History
from kolgraph.collector import cyclic_gc_paused, return_freed_memory
from kolgraph.errors import InputError, NotFoundError
from kolgraph.store import GraphStore
from kolgraph.store.common import score_frame

#: What scoring's co-author graph is built from, and what the other components read.
NETWORK_TABLES = ("hcps", "coauthorships")
EVIDENCE_TABLES = ("publications", "authorships", "trial_roles")


def rescore(store: GraphStore, home: Path, as_of: date | None = None) -> pd.DataFrame:
    """Score every HCP in ``store`` (weights from ``home/scoring.toml``), store the scores and
    keep them, with the day's coverage, in the store's history (:class:`History`)."""
    config = load_scoring_config(home)
    seen = store.stale_marks()  # a load or correction while scoring leaves the scores stale
    with cyclic_gc_paused():
        scores = _scored(store, config, as_of)
        return_freed_memory()  # the projections and the graph, before the write's peak
        store.write_scores(scores, seen)
        store.record_history(as_of or date.today(), History.from_env(), scores)
    return scores


def rescore_until_fresh(
    store: GraphStore,
    home: Path,
    rounds: int,
    again: Callable[[int], None] = lambda _round: None,
) -> pd.DataFrame:
    """:func:`rescore`, then again while a write made during the run left the new scores out
    of date (a steward's corrections in the web app while a background run goes), at most
    ``rounds`` runs in all; ``again(n)`` before run ``n`` (2, 3, ...)."""
    scores = rescore(store, home)
    for run in range(2, rounds + 1):
        if not store.scores_stale():
            break
        again(run)
        scores = rescore(store, home)
    return scores


def _scored(store: GraphStore, config: ScoringConfig, as_of: date | None) -> pd.DataFrame:
    """Every HCP's scores; what they were computed from is freed on return."""
    network = Projection.for_scoring(store, NETWORK_TABLES)
    graph = coauthor_graph(network)
    # The betweenness estimate, most of scoring's time at scale, runs in other processes
    # from here on, beside reading the papers and computing every other component.
    with betweenness_estimate(graph, config) as betweenness:
        projection = Projection.for_scoring(store, EVIDENCE_TABLES, into=network)
        return score_hcps(projection, config, _year(as_of), graph, betweenness)


def top_hcps(
    store: GraphStore, limit: int = 20, territory: str | None = None, rising: bool = False
) -> list[dict]:
    """HCPs by influence rank (or, with ``rising``, rising stars by growth), best first."""
    if limit < 1:
        raise InputError("--limit must be at least 1")
    if rising:
        return store.rising_stars(limit, territory)  # the store reads only the rows returned
    return store.top_hcps(limit, territory)


#: What ``explain`` says before explaining a score from the whole graph.
WHOLE_GRAPH_NOTICE = (
    "these scores were written before kolgraph kept their raw component values: explaining "
    "from the whole graph, which takes minutes at 500,000 HCPs (`kolgraph score` makes "
    "explanations take a second again)"
)


def explain(
    store: GraphStore,
    home: Path,
    hcp_id: str,
    as_of: date | None = None,
    notice: Callable[[str], None] = lambda _text: None,
) -> dict:
    """The score breakdown of one HCP with its evidence (papers, co-authors, trials).

    Read from the raw component values kept with the score and the rows around the HCP
    (``store.tables_around``); a score written before raw values were kept is explained
    from the whole graph, with the component values computed again, after ``notice``
    is told so."""
    config, year = load_scoring_config(home), _year(as_of)
    parts = store.reads.profile_parts(hcp_id)
    if parts is None:
        raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
    score = parts["score"] or {}
    if not score.get("components_raw_json") or score.get("influence") is None:
        if score.get("influence") is not None:
            notice(WHOLE_GRAPH_NOTICE)
        return explain_hcp(Projection.from_store(store), store.scores(), hcp_id, config, as_of=year)
    projection = Projection.from_frames(store.coauthor_max_authors, **store.tables_around(hcp_id))
    raw = pd.DataFrame([json.loads(score["components_raw_json"])], index=[hcp_id])
    scores = score_frame([{**score, "hcp_id": hcp_id}])
    return explain_hcp(projection, scores, hcp_id, config, as_of=year, raw=raw)


def score_breakdown(score: dict | None, home: Path) -> list[dict]:
    """Per component: percentile, weight and contribution to the influence score.

    The weights are today's ``home/scoring.toml``; contributions sum to the influence when the
    stored scores were computed with them (as ``kolgraph load`` and ``score`` do).
    """
    if score is None:
        return []
    weights = load_scoring_config(home).component_weights()
    total = sum(weights.values()) or 1.0
    rows = []
    for name in COMPONENTS:
        percentile = float(score["components"].get(name, 0.0))
        rows.append(
            {
                "component": name,
                "description": DESCRIPTIONS.get(name, ""),
                "percentile": percentile,
                "weight": weights[name],
                "contribution": round(weights[name] * percentile / total, 1),
            }
        )
    return rows


def _year(as_of: date | None) -> int | None:
    return as_of.year if as_of else None
