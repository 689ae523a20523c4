"""``kolgraph insights`` on an embedded store loaded with the small test bundle."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore

BUNDLE = Path(__file__).parent / "data" / "bundle_small"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home folder whose embedded store holds the small bundle, scored."""
    home = tmp_path_factory.mktemp("home")
    with EmbeddedStore(home) as store:
        load_path(BUNDLE, store)
        rescore(store, home)
    return home


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), "insights", *args])


def test_json_is_one_object(home):
    result = run(home, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"filters", "total", "counts", "category_by_quarter", "newest", "themes"}
    # TP0004 has no insight text: 4 of the 5 touchpoints are insights
    assert report["total"] == 4
    assert report["counts"]["territory"] == {"Northeast": 3, "West": 1}
    assert report["counts"]["quarter"] == {"2025-Q1": 3, "2025-Q2": 1}
    assert report["counts"]["sentiment"] == {"positive": 2, "neutral": 1, "negative": 1}
    assert report["themes"] is None


def test_newest_are_tier_1_2_and_keep_the_text(home):
    report = json.loads(run(home, "--json").output)
    with EmbeddedStore(home) as store:
        tiers = dict(zip(store.scores()["hcp_id"], store.scores()["tier"]))
    assert report["newest"], "the bundle has insights from top-tier HCPs"
    assert all(tiers[n["hcp_id"]] in (1, 2) for n in report["newest"])
    dates = [n["date"] for n in report["newest"]]
    assert dates == sorted(dates, reverse=True)


def test_filters(home):
    report = json.loads(run(home, "--json", "--territory", "West", "--since", "2025-03-01").output)
    assert report["total"] == 1 and report["counts"]["category"]["safety"] == 1
    assert report["filters"]["since"] == "2025-03-01"
    report = json.loads(run(home, "--json", "--category", "Research Interest").output)
    assert report["total"] == 1 and report["filters"]["category"] == "research interest"


def test_csv_rows(home):
    result = run(home, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == ["dimension", "value", "count"]
    assert rows[0] == {"dimension": "total", "value": "insights", "count": "4"}
    assert {"dimension": "territory", "value": "Northeast", "count": "3"} in rows
    assert {"dimension": "category_by_quarter", "value": "safety|2025-Q1", "count": "1"} in rows


def test_default_report_is_readable(home):
    result = run(home)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 insights")
    for heading in (
        "category",
        "sentiment",
        "territory",
        "tier",
        "quarter",
        "Category by quarter:",
        "Newest insights from tier 1-2 HCPs:",
    ):
        assert heading in result.output
    assert "Themes:" not in result.output


def test_themes_on_too_little_text(home):
    result = run(home, "--themes")
    assert result.exit_code == 0, result.output
    assert "too few insights to find themes" in result.output
    assert json.loads(run(home, "--themes", "--json").output)["themes"] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--category", "gossip"], "allowed: unmet need"),
        (["--territory", "Atlantis"], "unknown territory"),
    ],
)
def test_bad_filters_are_one_clear_error(home, args, message):
    result = run(home, *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--tier", "0"], "'--tier': 0 is not in the range 1<=x"),
        (["--tier", "x"], "'x' is not a valid integer"),
    ],
)
def test_bad_option_values_are_usage_errors(home, args, message):
    result = run(home, *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_json_and_csv_together_is_a_usage_error(home):
    assert run(home, "--json", "--csv").exit_code == 2


def test_configured_vocabulary_is_used(home, tmp_path):
    (home / "insights.toml").write_text('categories = ["safety", "hunches"]\n')
    try:
        result = run(home, "--category", "hunches", "--json")
        assert json.loads(result.output)["total"] == 0
        assert "allowed: safety, hunches" in run(home, "--category", "competitor").output
    finally:
        (home / "insights.toml").unlink()
