"""Analytics: pure functions over a :class:`Projection` of the store's tables.

They take plain pandas DataFrames and return DataFrames / dicts, so every store gives the
same answers.
"""

from __future__ import annotations

from kolgraph.analytics.explain import explain_hcp
from kolgraph.analytics.influence import (
    COMPONENTS,
    ScoringConfig,
    load_scoring_config,
    score_hcps,
)
from kolgraph.analytics.projection import Projection
from kolgraph.schema import SCORE_COLUMNS

__all__ = [
    "COMPONENTS",
    "SCORE_COLUMNS",
    "Projection",
    "ScoringConfig",
    "explain_hcp",
    "load_scoring_config",
    "score_hcps",
]
