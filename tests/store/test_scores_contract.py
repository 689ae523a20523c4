"""Scores are the same on every store: scoring reads one projection from the store, and the
scores it writes back read the same on both backends."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sample import followup_batch, merged, sample_batch

from kolgraph.analytics import Projection, ScoringConfig, score_hcps
from kolgraph.analytics.projection import table_names
from kolgraph.scoring import rescore, top_hcps

AS_OF = date(2024, 6, 30)


def expected_scores() -> pd.DataFrame:
    """Scores computed straight from the batches, with no store in between."""
    batch = merged(sample_batch(), followup_batch())
    frames = {name: batch[name] for name in table_names() if name in batch}
    return score_hcps(Projection.from_frames(**frames), ScoringConfig(), as_of=AS_OF.year)


def as_rows(scores: pd.DataFrame) -> list[tuple]:
    ordered = scores.sort_values("hcp_id")
    return [
        (
            r.hcp_id,
            r.influence,
            int(r.tier),
            int(r.rank),
            r.components,
            bool(r.rising),
            round(float(r.rising_score), 9),
        )
        for r in ordered.itertuples()
    ]


def test_scores_written_by_a_store_equal_scores_from_the_batch(store, tmp_path):
    store.load(sample_batch())
    store.load(followup_batch())
    written = rescore(store, tmp_path, as_of=AS_OF)
    assert as_rows(written) == as_rows(expected_scores())
    assert as_rows(store.scores()) == as_rows(expected_scores())


def test_top_lists_scored_hcps_by_rank(store, tmp_path):
    store.load(sample_batch())
    rescore(store, tmp_path, as_of=AS_OF)
    top = top_hcps(store, limit=3)
    assert [row["rank"] for row in top] == [1, 2, 3]
    best = store.scores().sort_values("rank").head(3)
    assert [row["hcp_id"] for row in top] == list(best["hcp_id"])
