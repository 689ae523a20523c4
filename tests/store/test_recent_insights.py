"""``recent_insights`` and ``data_version``: the dashboard's read model, same answers on every store.

The reference is :func:`kolgraph.insights_report.insights_report` (its ``newest`` rows), which reads
whole tables; the read model must give the same rows while reading only the newest ones.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kolgraph.analytics.insights import NEWEST_COLUMNS, NEWEST_LIMIT, load_insight_categories
from kolgraph.answers.browse import RECENT_INSIGHT_FIELDS, RECENT_INSIGHT_WINDOW
from kolgraph.errors import InputError
from kolgraph.insights_report import insights_report
from kolgraph.loading import load_path
from kolgraph.scoring import rescore

BUNDLE = Path(__file__).resolve().parents[1] / "data" / "web_bundle"
AS_OF = date(2026, 11, 20)
COLUMNS = (
    "touchpoint_id",
    "msl_id",
    "hcp_id",
    "date",
    "channel",
    "topic",
    "insight",
    "insight_category",
    "sentiment",
)


def write_touchpoints(folder: Path, rows: list[tuple]) -> Path:
    """A bundle holding only ``touchpoints.csv`` with ``rows``."""
    folder.mkdir()
    with open(folder / "touchpoints.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return folder


@pytest.fixture
def insight_store(store, tmp_path):
    """The web bundle, scored, plus touchpoints that test every rule.

    More than a window's worth of newer insights come from the lowest-tier HCP (never
    shown), so the newest answers lie beyond the first window.
    """
    load_path(BUNDLE, store, today=AS_OF)
    rescore(store, tmp_path)
    tiers = dict(zip(store.scores()["hcp_id"], store.scores()["tier"]))
    low = max(tiers, key=lambda h: (tiers[h], h))
    assert tiers[low] > 2 and tiers["H01"] <= 2 and tiers["H04"] <= 2
    rows = [
        (f"TL{i:03d}", "M1", low, "2026-11-10", "phone", "t", f"note {i}", "other", "neutral")
        for i in range(RECENT_INSIGHT_WINDOW + 10)
    ]
    rows += [
        ("TB1", "M1", "H01", "2026-11-15", "phone", "blank", "   ", "other", "neutral"),
        ("TB2", "M1", "H01", "2026-11-15", "phone", "blank", "\t\u00a0", "other", "neutral"),
        ("TB3", "M1", "H01", "2026-11-15", "phone", "none", "", "other", "neutral"),
        ("TT1", "M1", "H01", "2026-11-05", "phone", "tie", "first of a tie", "other", "neutral"),
        ("TT2", "M1", "H01", "2026-11-05", "phone", "tie", "second of a tie", "other", "neutral"),
    ]
    load_path(write_touchpoints(tmp_path / "more", rows), store, today=AS_OF)
    return store


def reference(store, home: Path, territory: str | None, limit: int) -> list[dict]:
    rows = insights_report(store, load_insight_categories(home), territory=territory)["newest"][
        :limit
    ]
    return [{k: row[k] for k in NEWEST_COLUMNS} for row in rows]


def test_the_fields_are_those_of_the_insights_report():
    assert RECENT_INSIGHT_FIELDS == NEWEST_COLUMNS


@pytest.mark.parametrize("territory", [None, "North", "South"])
def test_same_rows_as_the_insights_report(insight_store, tmp_path, territory):
    for limit in (1, 3, NEWEST_LIMIT):
        assert insight_store.recent_insights(territory, limit) == reference(
            insight_store, tmp_path, territory, limit
        )


def test_newest_first_without_blank_or_low_tier_insights(insight_store):
    rows = insight_store.recent_insights(None, 5)
    # Ties (2026-11-05) go by touchpoint_id, descending; TP4 is H05's, a tier 3+ HCP.
    assert [r["touchpoint_id"] for r in rows] == ["TT2", "TT1", "TP1", "TP2", "TP3"]
    first = rows[0]
    assert first == {
        "date": "2026-11-05",
        "touchpoint_id": "TT2",
        "hcp_id": "H01",
        "hcp_name": first["hcp_name"],
        "tier": first["tier"],
        "territory": "North",
        "msl_id": "M1",
        "msl_name": first["msl_name"],
        "insight_category": "other",
        "sentiment": "neutral",
        "topic": "tie",
        "insight": "second of a tie",
    }
    assert first["hcp_name"] and first["msl_name"] and first["tier"] in (1, 2)


def test_territory_scoping(insight_store):
    north = insight_store.recent_insights("North", 10)
    south = insight_store.recent_insights("South", 10)
    assert {r["territory"] for r in north} == {"North"} and {r["territory"] for r in south} == {
        "South"
    }
    assert [r["touchpoint_id"] for r in south] == ["TP3"]
    assert insight_store.recent_insights("Atlantis", 10) == []


def test_limit_must_be_positive(insight_store):
    with pytest.raises(InputError):
        insight_store.recent_insights(None, 0)


def test_an_empty_store_has_no_insights(store):
    assert store.recent_insights(None, 5) == []


def test_data_version_changes_with_every_write(store, tmp_path):
    """The version must change with a load and a scoring run, so no cached answer outlives
    the data it was computed from."""
    before = store.data_version()
    load_path(BUNDLE, store, today=AS_OF)
    after_load = store.data_version()
    rescore(store, tmp_path)
    after_scores = store.data_version()
    assert len({before, after_load, after_scores}) == 3
    assert store.data_version() == after_scores  # reading changes nothing
