"""Logging one touchpoint (kolgraph.touchpoints): load validation, writing, and that gaps,
coverage and insights see it at once, also through a connection opened before the write
(the web app opens one per request)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from kolgraph.analytics.insights import load_insight_categories
from kolgraph.answers.gaps import GapQuery
from kolgraph.errors import ValidationFailed
from kolgraph.insights_report import insights_report
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.touchpoints import (
    ID_PREFIX,
    SOURCE,
    check_touchpoint,
    field_problems,
    log_touchpoint,
    new_touchpoint_id,
)

TODAY = date(2025, 6, 30)
EVIL = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


def frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    columns = TABLES_BY_NAME[table].column_names
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, zip(*rows))})


@pytest.fixture
def store(tmp_path):
    """H1 (North, tier 1, touched long ago), H2 (North, tier 2, never touched); M1 North."""
    with EmbeddedStore(tmp_path) as store:
        store.load(
            {
                "hcps": frame(
                    "hcps",
                    [
                        (h, "F", h, None, None, None, None, None, None, "North", None, None, None)
                        for h in ("H1", "H2")
                    ],
                ),
                "msls": frame("msls", [("M1", "Mona North", "North", None, None)]),
                "touchpoints": frame(
                    "touchpoints",
                    [("T1", "M1", "H1", "2024-01-01", None, None, "Old note", "other", None)],
                ),
            }
        )
        store.write_scores(
            pd.DataFrame(
                {
                    "hcp_id": ["H1", "H2"],
                    "influence": [90.0, 80.0],
                    "tier": [1, 2],
                    "rank": [1, 2],
                    "components": [{}, {}],
                    "rising": False,
                    "rising_score": 0.0,
                }
            )
        )
        yield store


def values(**changes) -> dict:
    base = {
        "msl_id": "M1",
        "hcp_id": "H2",
        "date": "2025-06-30",
        "channel": "in-person",
        "topic": "Dosing",
        "insight": "Wants subgroup data",
        "insight_category": "Unmet Need",
        "sentiment": "positive",
    }
    return {**base, **changes}


def gaps(store) -> dict[str, str]:
    return {row["hcp_id"]: row["reason"] for row in store.coverage_gaps(GapQuery(as_of=TODAY))}


def test_new_ids_are_prefixed_and_random():
    ids = {new_touchpoint_id() for _ in range(100)}
    assert len(ids) == 100 and all(re.fullmatch(ID_PREFIX + "[0-9a-f]{12}", i) for i in ids)


def test_logs_one_touchpoint_as_a_load_would(store, tmp_path):
    row = log_touchpoint(store, tmp_path, values(insight=EVIL), today=TODAY)
    assert row["touchpoint_id"].startswith(ID_PREFIX)
    stored = store.table("touchpoints").set_index("touchpoint_id")
    assert len(stored) == 2
    new = stored.loc[row["touchpoint_id"]]
    assert (
        new["hcp_id"],
        new["msl_id"],
        new["date"],
        new["insight_category"],
        new["sentiment"],
    ) == ("H2", "M1", "2025-06-30", "unmet need", "positive")  # category spelled as the vocabulary
    assert new["insight"] == EVIL  # stored as given


def test_gaps_and_coverage_see_it_at_once_on_every_connection(store, tmp_path):
    other = EmbeddedStore(tmp_path)  # opened before the write, like another web request
    try:
        assert gaps(store) == {"H1": "stale", "H2": "never engaged"}  # caches built now
        assert other.coverage(TODAY, 180)["territories"][0]["engaged"] == 0
        log_touchpoint(store, tmp_path, values(), today=TODAY)
        assert gaps(store) == {"H1": "stale"}
        assert gaps(other) == {"H1": "stale"}
        assert other.coverage(TODAY, 180)["territories"][0]["engaged"] == 1
        assert insights_report(other, load_insight_categories(tmp_path))["total"] == 2
    finally:
        other.close()


def test_every_problem_at_once_and_nothing_written(store, tmp_path):
    with pytest.raises(ValidationFailed) as failed:
        log_touchpoint(
            store,
            tmp_path,
            values(date="2025-07-01", insight_category="gossip", sentiment="meh", msl_id=""),
            today=TODAY,
        )
    problems = field_problems(failed.value)
    assert problems["date"] == ["date 2025-07-01 is in the future"]
    assert problems["insight_category"][0].startswith(
        "not an allowed insight category; allowed: unmet need,"
    )
    assert problems["insight_category"][0].endswith("got gossip")
    assert problems["sentiment"] == ["must be one of positive, neutral, negative; got meh"]
    assert problems["msl_id"] == ["required value is empty"]
    assert all(p.file == SOURCE and p.line == 1 for p in failed.value.problems)
    assert len(store.table("touchpoints")) == 1


@pytest.mark.parametrize(
    "change, column, message",
    [
        ({"date": ""}, "date", "required value is empty"),
        ({"date": "30/06/2025"}, "date", "not a date (expected YYYY-MM-DD): 30/06/2025"),
        ({"msl_id": "M9"}, "msl_id", "unknown MSL M9"),
        ({"hcp_id": "H9"}, "hcp_id", "unknown HCP H9"),
        ({"colour": "red"}, "colour", "unknown column; expected one of"),
    ],
)
def test_the_messages_of_a_load(store, tmp_path, change, column, message):
    with pytest.raises(ValidationFailed) as failed:
        check_touchpoint(store, tmp_path, values(**change), today=TODAY)
    assert field_problems(failed.value)[column][0].startswith(message)


def test_a_given_touchpoint_id_is_ignored(store, tmp_path):
    row = log_touchpoint(store, tmp_path, values(touchpoint_id="T1"), today=TODAY)
    assert row["touchpoint_id"] != "T1"
    assert store.table("touchpoints").set_index("touchpoint_id").loc["T1", "insight"] == "Old note"


def test_the_configured_vocabulary(store, tmp_path):
    (tmp_path / "insights.toml").write_text('categories = ["efficacy", "other"]\n')
    with pytest.raises(ValidationFailed) as failed:
        check_touchpoint(store, tmp_path, values(), today=TODAY)
    assert field_problems(failed.value)["insight_category"] == [
        "not an allowed insight category; allowed: efficacy, other; got Unmet Need"
    ]
    row = log_touchpoint(store, tmp_path, values(insight_category="EFFICACY"), today=TODAY)
    assert row["insight_category"] == "efficacy"


def test_today_is_allowed_and_tomorrow_is_not(store, tmp_path):
    today = date.today()
    log_touchpoint(store, tmp_path, values(date=today.isoformat()))
    with pytest.raises(ValidationFailed):
        check_touchpoint(store, tmp_path, values(date=(today + timedelta(days=1)).isoformat()))
