"""What changed since a date, and coverage by quarter: known answers, the same on every store.

The gaps data of ``test_gaps_contract`` scored twice: on 2024-03-31 (``EARLIER``) and on
2024-06-30 (its ``SCORES``), each run kept with that day's coverage; insight text is logged on
four touchpoints.  Between the runs H6 moves up to tier 1, H3 enters tier 2, H8 falls to
tier 3, H9 starts rising; H2 (last touch 2023-12-01) and H5 (2024-01-01) were engaged within
180 days of 2024-04-01 and are not within 180 days of 2024-06-30.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sample import frame
from test_gaps_contract import SCORES, gap_batch, score_frame

from kolgraph.answers.changes import History
from kolgraph.cli import cli
from kolgraph.errors import InputError
from kolgraph.store.sqlite import EmbeddedStore

EARLIER = [
    ("H1", 95.0, 1, 1),
    ("H2", 90.0, 1, 2),
    ("H6", 85.0, 2, 3),
    ("H4", 70.0, 2, 4),
    ("H5", 70.0, 2, 5),
    ("H8", 60.0, 2, 6),
    ("H3", 50.0, 3, 7),
    ("H7", 40.0, 3, 8),
    ("H9", 10.0, 4, 9),
]
INSIGHTS = [
    ("T20", "M1", "H1", "2024-05-01", "Efficacy data impressed", "efficacy"),
    ("T21", "M1", "H7", "2024-03-01", "Before the date", "safety"),
    ("T22", "M3", "H4", "2024-06-15", "   ", "access"),
    ("T23", "M2", "H8", "2024-06-20", "No category given", None),
]


def _touchpoints():
    rows = [
        (t, m, h, d, None, None, text, category, None) for t, m, h, d, text, category in INSIGHTS
    ]
    return frame("touchpoints", rows)


@pytest.fixture(name="history_store")
def history_store_fixture(store):
    return history_store(store)


def history_store(store):
    """``store`` holding the data and the two scoring runs of the module docstring."""
    store.load(gap_batch())
    store.load({"touchpoints": _touchpoints()})
    store.write_scores(score_frame(EARLIER))
    store.record_history(date(2024, 3, 31), History())
    later = score_frame(SCORES)
    later.loc[later["hcp_id"] == "H9", "rising"] = True
    store.write_scores(later)
    store.record_history(date(2024, 6, 30), History())
    return store


def test_changes_since_a_date(history_store):
    answer = history_store.changes(date(2024, 4, 1), date(2024, 6, 30))
    assert answer["since"] == "2024-04-01"
    assert answer["compared_run"]["scored_on"] == "2024-03-31"
    assert [(r["change"], r["hcp_id"], r["before"], r["after"]) for r in answer["changes"]] == [
        ("new tier 1-2", "H3", 3, 2),
        ("tier up", "H6", 2, 1),
        ("tier down", "H8", 2, 3),
        ("new rising star", "H9", None, 4),
        ("coverage decay", "H2", None, None),
        ("coverage decay", "H5", None, None),
    ]
    h3 = answer["changes"][0]
    assert (h3["name"], h3["territory"]) == ("First3 Last3", "NE")
    assert answer["new_insights"] == {"(none)": 1, "efficacy": 1}


def test_coverage_by_quarter_from_the_kept_days(history_store):
    rows = [
        (r["territory"], r["quarter"], r["tier12_hcps"], r["engaged"], r["share"])
        for r in history_store.coverage_history()
    ]
    assert rows == [
        ("NE", "2024-Q1", 3, 1, 0.333),
        ("NE", "2024-Q2", 3, 1, 0.333),
        ("SE", "2024-Q1", 2, 2, 1.0),
        ("SE", "2024-Q2", 2, 1, 0.5),
        ("W", "2024-Q1", 1, 0, 0.0),
        ("W", "2024-Q2", 1, 1, 1.0),
    ]


def test_a_territory_keeps_its_own_changes(history_store):
    answer = history_store.changes(date(2024, 4, 1), date(2024, 6, 30), territory="SE")
    assert [(r["change"], r["hcp_id"]) for r in answer["changes"]] == [("coverage decay", "H5")]
    assert [r["territory"] for r in answer["coverage_by_quarter"]] == ["SE", "SE"]
    assert answer["new_insights"] == {}


def test_a_date_before_every_kept_run_or_in_the_future_is_an_error(history_store):
    with pytest.raises(
        InputError,
        match="no scoring run is kept from 2024-03-30 or before; the oldest is from 2024-03-31",
    ):
        history_store.changes(date(2024, 3, 30), date(2024, 6, 30))
    with pytest.raises(InputError, match="in the future"):
        history_store.changes(date(2024, 7, 1), date(2024, 6, 30))


def test_history_is_bounded(history_store):
    history_store.record_history(date(2024, 9, 30), History(runs=2, days=100))
    assert [d for _i, d in history_store.reads.score_runs()] == ["2024-09-30", "2024-06-30"]
    days = {r["day"] for r in history_store.reads.coverage_days(None)}
    assert days == {"2024-06-30", "2024-09-30"}


def test_the_changes_command(tmp_path):
    """``kolgraph changes`` on an embedded home holding the same history (today is later than
    every date here, so H4's touch of 2024-01-02 has decayed by now as well)."""
    with EmbeddedStore(tmp_path / "home") as store:
        history_store(store)
    args = ["--backend", "embedded", "--home", str(tmp_path / "home"), "changes"]
    result = CliRunner().invoke(cli, [*args, "--since", "2024-04-01", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    decayed = [r["hcp_id"] for r in answer["changes"] if r["change"] == "coverage decay"]
    assert decayed == ["H2", "H4", "H5"] and answer["new_insights"] == {"(none)": 1, "efficacy": 1}
    table = CliRunner().invoke(cli, [*args, "--since", "2024-04-01"])
    assert "COVERAGE BY QUARTER" in table.output and "tier up" in table.output
    csv_out = CliRunner().invoke(cli, [*args, "--since", "2024-04-01", "--csv"]).output
    assert csv_out.splitlines()[0] == "change,hcp_id,name,territory,before,after"
    assert "new insights,,efficacy,,,1" in csv_out
    early = CliRunner().invoke(cli, [*args, "--since", "2020-01-01"])
    assert early.exit_code != 0 and "the oldest is from 2024-03-31" in early.output
