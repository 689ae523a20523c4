"""The insights report, ``recent_insights`` and ``data_version``: the read model of the
insights page and the dashboard, same answers on every store.

The reference is :func:`kolgraph.analytics.insights.insight_summary` over the whole tables; the
stores must give the same report while reading only counts and the newest rows.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kolgraph.analytics.insights import (
    MIN_THEME_NOTES,
    NEWEST_COLUMNS,
    NEWEST_LIMIT,
    insight_summary,
    insight_themes,
    load_insight_categories,
)
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


def whole_table_report(store, categories, territory: str | None = None, **filters) -> dict:
    """:func:`insight_summary` over the store's whole tables, about ``territory``'s HCPs."""
    touchpoints, hcps = store.table("touchpoints"), store.table("hcps")
    if territory is not None:
        members = hcps.loc[hcps["territory"] == territory, "hcp_id"]
        touchpoints = touchpoints[touchpoints["hcp_id"].isin(members)]
    report = insight_summary(
        touchpoints,
        hcps,
        store.scores(),
        msls=store.table("msls"),
        categories=categories,
        **filters,
    )
    report["filters"]["territory"] = territory
    return report


def reference(store, home: Path, territory: str | None, limit: int) -> list[dict]:
    rows = whole_table_report(store, load_insight_categories(home), territory)["newest"][:limit]
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


# --- the insights report -------------------------------------------------------------------

HCP_HEADER = (
    "hcp_id,first_name,last_name,credentials,specialty,city,state,country,territory,npi,orcid,email"
)
SMALL_VOCABULARY = ("safety", "competitor")


@pytest.fixture
def report_store(insight_store, tmp_path):
    """``insight_store``, plus an HCP without a territory loaded after scoring (so without a
    tier) and insights on both sides of quarter and year boundaries."""
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "hcps.csv").write_text(
        f"{HCP_HEADER}\nH90,Una,Unscored,MD,Cardiology,Reno,NV,US,,,,\n", encoding="utf-8"
    )
    rows = [
        (
            "TU1",
            "M1",
            "H90",
            "2025-12-31",
            "phone",
            "x",
            "Asked about rivals",
            "competitor",
            "negative",
        ),
        ("TU2", "M2", "H90", "2026-01-01", "phone", "x", "Bleeding worries", "safety", "positive"),
        (
            "TQ1",
            "M1",
            "H01",
            "2025-03-31",
            "video",
            "x",
            "Trial question",
            "research interest",
            "neutral",
        ),
        (
            "TQ2",
            "M2",
            "H04",
            "2025-04-01",
            "video",
            "x",
            "Access problems",
            "access and reimbursement",
            "negative",
        ),
    ]
    with open(folder / "touchpoints.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    load_path(folder, insight_store, today=AS_OF)
    return insight_store


def report_filters(store) -> list[dict]:
    low_tier = max(t for t in store.scores()["tier"].dropna().astype(int))
    return [
        {},
        {"territory": "North"},
        {"territory": "South"},
        {"since": "2026-01-01"},
        {"since": "2025-04-01", "as_of": "2026-06-15"},
        {"as_of": "2025-12-31"},
        {"since": "2026-11-10", "as_of": "2026-11-10"},
        {"tier": 1},
        {"tier": "2"},
        {"tier": low_tier},
        {"category": "safety"},
        {"category": "OTHER"},
        {"territory": "North", "since": "2026-11-05", "tier": 1, "category": "other"},
        {"territory": "South", "as_of": "2026-10-31", "category": "Unmet Need"},
    ]


@pytest.mark.parametrize("vocabulary", [None, SMALL_VOCABULARY])
def test_the_report_is_that_of_the_whole_tables(report_store, tmp_path, vocabulary):
    categories = vocabulary or load_insight_categories(tmp_path)
    totals = set()
    for filters in report_filters(report_store):
        if vocabulary and "category" in filters:
            continue  # "other" and "unmet need" are outside the small vocabulary
        expected = whole_table_report(report_store, categories, **filters)
        report = insights_report(report_store, categories, **filters)
        assert report == {**expected, "themes": None}, filters
        totals.add(report["total"])
    assert len(totals) >= 8  # the filters keep different insights


def test_unscored_hcps_and_those_without_a_territory_are_counted_as_none(report_store, tmp_path):
    report = insights_report(report_store, load_insight_categories(tmp_path))
    assert report["counts"]["tier"]["(none)"] == 2
    assert report["counts"]["territory"]["(none)"] == 2
    assert (
        report["counts"]["quarter"]["2025-Q1"] == 1 and report["counts"]["quarter"]["2025-Q2"] == 1
    )
    assert report["category_by_quarter"]["competitor"]["2025-Q4"] == 1


def test_the_report_reads_no_whole_table(report_store, tmp_path, monkeypatch):
    expected = insights_report(report_store, load_insight_categories(tmp_path), territory="North")

    def refuse(*_args, **_kwargs):
        raise AssertionError("a whole table was read")

    for name in ("table", "scores"):
        monkeypatch.setattr(report_store, name, refuse)
    again = insights_report(report_store, load_insight_categories(tmp_path), territory="North")
    assert again == expected and again["total"] > 0


def test_the_newest_rows_follow_every_filter(report_store, tmp_path):
    """The tier 1-2 insights in category "other" lie behind more than a window of newer
    "other" insights from a low-tier HCP: the window grows past them, or ``as_of`` leaves
    them out in the store."""
    categories = load_insight_categories(tmp_path)
    newest = insights_report(report_store, categories, category="other")["newest"]
    assert [r["touchpoint_id"] for r in newest] == ["TT2", "TT1"]
    report = insights_report(
        report_store, categories, since="2026-11-01", as_of="2026-11-09", category="other"
    )
    assert [r["touchpoint_id"] for r in report["newest"]] == ["TT2", "TT1"]
    assert insights_report(report_store, categories, tier="3")["newest"] == []
    assert insights_report(report_store, categories, since="2026-11-16")["newest"] == []


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"territory": "Atlantis"}, "unknown territory 'Atlantis'; territories: North, South"),
        ({"tier": 99}, "--tier 99: the tiers of these HCPs run from 1 to"),
        ({"category": "gossip"}, "unknown insight category 'gossip'"),
        ({"since": "2026-02-01", "as_of": "2026-01-01"}, "is after"),
    ],
)
def test_bad_filters_are_refused(report_store, tmp_path, filters, message):
    with pytest.raises(InputError, match=message):
        insights_report(report_store, load_insight_categories(tmp_path), **filters)


@pytest.mark.parametrize(
    "filters",
    [{}, {"territory": "North"}, {"since": "2026-11-01", "category": "other"}, {"tier": 1}],
)
def test_themes_are_those_of_the_whole_tables(report_store, tmp_path, filters):
    categories = load_insight_categories(tmp_path)
    expected = insight_themes(
        report_store.table("touchpoints"),
        report_store.table("hcps"),
        report_store.scores(),
        categories=categories,
        **filters,
    )
    report = insights_report(report_store, categories, themes=True, **filters)
    assert report["themes"] == expected
    assert filters.get("tier") == 1 or sum(t["size"] for t in expected) >= MIN_THEME_NOTES
