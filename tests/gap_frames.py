"""Two gaps snapshots compared by what they answer, whatever order equal touch keys are in."""

from __future__ import annotations

from datetime import date

import numpy as np

from kolgraph.answers.gaps import GapQuery
from kolgraph.store import gap_snapshot

AS_OF = date(2024, 6, 30)


def touch_rows(frames: gap_snapshot.GapFrames) -> list[tuple]:
    """Each touch as (key, HCP, date, MSL), sorted (touches of one HCP on one day too)."""
    ids = frames.hcps["hcp_id"]
    rows = zip(frames.keys.tolist(), frames.dates.tolist(), frames.msl_ids.tolist())
    return sorted((key, ids[key // gap_snapshot.DAY_SPAN], d, m or "") for key, d, m in rows)


def assert_same_gaps(found: gap_snapshot.GapFrames, expected: gap_snapshot.GapFrames) -> None:
    assert (found.hcps, found.position) == (expected.hcps, expected.position)
    for field in ("tier", "rank", "territory"):
        assert np.array_equal(getattr(found, field), getattr(expected, field)), field
    assert touch_rows(found) == touch_rows(expected)
    assert found.msls == expected.msls
    for query in (GapQuery(max_tier=3, as_of=AS_OF), GapQuery(top=50, as_of=AS_OF)):
        assert gap_snapshot.candidates(found, query) == gap_snapshot.candidates(expected, query)
