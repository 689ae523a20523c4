"""Why an HCP scores what it scores: each component's value, weight and contribution, and the
evidence behind it (top papers, strongest co-authors, trials).

``kolgraph explain HCP_ID`` and the web profile show this; the result is a plain,
JSON-serialisable dict.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import pandas as pd

from kolgraph.analytics.influence import (
    COMPONENTS,
    ScoringConfig,
    component_values,
    role_weights,
    weighted_authorships,
)
from kolgraph.analytics.projection import Projection
from kolgraph.errors import NotFoundError
from kolgraph.schema import hcp_name

#: What each component measures, for people reading an explanation.
DESCRIPTIONS = {
    "publication_output": "papers, first/last author weighted, decayed by age",
    "citation_impact": "citations of the HCP's papers, first/last author weighted",
    "coauthor_pagerank": "PageRank in the co-authorship network (weight = shared papers)",
    "coauthor_betweenness": "betweenness: how often the HCP bridges otherwise distant groups",
    "trial_leadership": "trial roles, principal investigator / overall official weighing most",
}


def explain_hcp(
    projection: Projection,
    scores_frame: pd.DataFrame,
    hcp_id: str,
    config: ScoringConfig | None = None,
    *,
    as_of: int | None = None,
    raw: pd.DataFrame | None = None,
    limit: int = 5,
) -> dict:
    """The score breakdown and evidence of one HCP.

    ``scores_frame`` is what :func:`~kolgraph.analytics.influence.score_hcps` returned (or a
    store's ``scores()``), computed with the same ``config`` and ``as_of``; contributions then
    sum to ``influence`` (up to its rounding to 1 decimal).  ``raw`` may pass precomputed
    :func:`~kolgraph.analytics.influence.component_values` to skip the graph algorithms.
    Raises :class:`~kolgraph.errors.NotFoundError` for an unknown or unscored HCP.
    """
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    hcp = _hcp_row(projection, hcp_id)
    score = _score_row(scores_frame, hcp_id)
    raw = raw if raw is not None else component_values(projection, config, as_of)
    return {
        "hcp_id": hcp_id,
        "name": hcp_name(hcp.get("first_name"), hcp.get("last_name")),
        "influence": float(score["influence"]),
        "rank": int(score["rank"]),
        "tier": int(score["tier"]),
        "rising": bool(score["rising"]),
        "rising_score": float(score["rising_score"]),
        "components": component_breakdown(raw.loc[hcp_id], _components(score), config),
        "evidence": {
            "papers": top_papers(projection, hcp_id, config, limit),
            "coauthors": strongest_coauthors(projection, hcp_id, limit),
            "trials": trials(projection, hcp_id, config),
        },
    }


def _hcp_row(projection: Projection, hcp_id: str) -> dict:
    rows = projection.hcps[projection.hcps["hcp_id"] == hcp_id]
    if rows.empty:
        raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
    return rows.iloc[0].to_dict()


def _score_row(scores_frame: pd.DataFrame, hcp_id: str) -> pd.Series:
    rows = scores_frame[scores_frame["hcp_id"] == hcp_id]
    if rows.empty or pd.isna(rows.iloc[0]["influence"]):  # a store may list unscored HCPs
        raise NotFoundError(f"HCP {hcp_id!r} has no score yet; run `kolgraph score`")
    return rows.iloc[0]


def _components(score: pd.Series) -> dict[str, float]:
    """The stored component percentiles (a store may hand them back as a JSON string)."""
    value = score["components"]
    return json.loads(value) if isinstance(value, str) else dict(value)


def component_breakdown(
    raw: pd.Series, percentiles: dict[str, float], config: ScoringConfig
) -> dict[str, dict]:
    """Per component: raw value, percentile, weight and ``weight * percentile / sum(weights)``."""
    weights = config.component_weights()
    total = sum(weights.values())
    return {
        name: {
            "raw": float(raw[name]),
            "percentile": float(percentiles.get(name, 0.0)),
            "weight": weights[name],
            "contribution": weights[name] * float(percentiles.get(name, 0.0)) / total,
            "description": DESCRIPTIONS[name],
        }
        for name in COMPONENTS
    }


def top_papers(
    projection: Projection, hcp_id: str, config: ScoringConfig, limit: int = 5
) -> list[dict]:
    """The HCP's most cited papers (then newest): pmid, title, year, position, citations."""
    auth = projection.authorships
    # Only the HCP's papers, with every author of them (the last author needs them all).
    mine = auth[auth["pmid"].isin(auth.loc[auth["hcp_id"] == hcp_id, "pmid"])]
    papers = weighted_authorships(replace(projection, authorships=mine), config)
    papers = papers[papers["hcp_id"] == hcp_id]
    papers = papers.sort_values(
        ["citation_count", "year", "pmid"], ascending=[False, False, True], na_position="last"
    ).head(limit)
    return [
        {
            "pmid": row.pmid,
            "title": row.title,
            "year": _int_or_none(row.year),
            "position": _int_or_none(row.position),
            "citations": _int_or_none(row.citation_count),
            "author_weight": float(row.author_weight),
        }
        for row in papers.itertuples(index=False)
    ]


def strongest_coauthors(projection: Projection, hcp_id: str, limit: int = 5) -> list[dict]:
    """The co-authors sharing the most papers with the HCP (then most recent, then id)."""
    pairs = projection.coauthorships
    mine = pairs[(pairs["hcp_a"] == hcp_id) | (pairs["hcp_b"] == hcp_id)]
    other = mine["hcp_b"].where(mine["hcp_a"] == hcp_id, mine["hcp_a"])
    frame = pd.DataFrame(
        {
            "hcp_id": other,
            "papers": pd.to_numeric(mine["papers"]),
            "last_year": pd.to_numeric(mine["last_year"]),
        }
    )
    frame = frame.sort_values(["papers", "last_year", "hcp_id"], ascending=[False, False, True])
    frame = frame.head(limit)
    names = _names(projection, frame["hcp_id"])
    return [
        {"hcp_id": row.hcp_id, "name": names.get(row.hcp_id), "papers": int(row.papers)}
        for row in frame.itertuples(index=False)
    ]


def trials(projection: Projection, hcp_id: str, config: ScoringConfig) -> list[dict]:
    """Every trial role of the HCP, heaviest role first: nct_id, title, role, weight."""
    roles = projection.trial_roles[projection.trial_roles["hcp_id"] == hcp_id]
    roles = roles.assign(weight=role_weights(roles["role"], config))
    roles = roles.merge(projection.trials[["nct_id", "title"]], on="nct_id", how="left")
    roles = roles.sort_values(["weight", "nct_id"], ascending=[False, True])
    return [
        {
            "nct_id": row.nct_id,
            "title": _str_or_none(row.title),
            "role": _str_or_none(row.role),
            "weight": float(row.weight),
        }
        for row in roles.itertuples(index=False)
    ]


def _names(projection: Projection, ids: pd.Series) -> dict[str, str]:
    hcps = projection.hcps[projection.hcps["hcp_id"].isin(ids)]
    rows = zip(hcps["hcp_id"], hcps["first_name"], hcps["last_name"])
    return {hcp: hcp_name(first, last) for hcp, first, last in rows}


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _str_or_none(value) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
