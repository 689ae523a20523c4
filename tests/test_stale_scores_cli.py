"""Every command says when scores are out of date (a load killed before its scoring)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore

BUNDLE = Path(__file__).resolve().parent / "data" / "bundle_small"
MESSAGE = "scores are out of date, run `kolgraph score`"
COMMANDS = [["top"], ["gaps"], ["coverage"], ["stats"], ["insights"], ["collaborators", "H001"]]


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    assert CliRunner().invoke(cli, ["--home", str(home), "load", str(BUNDLE)]).exit_code == 0
    return home


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_commands_warn_until_scores_are_recomputed(home, args):
    assert MESSAGE not in run(home, *args).stderr
    with EmbeddedStore(home) as store:  # a load whose scoring never ran
        load_path(BUNDLE / "hcps.csv", store)
    stale = run(home, *args)
    assert stale.exit_code == 0 and MESSAGE in stale.stderr
    assert MESSAGE not in stale.stdout  # --json / --csv output stays clean
    scored = run(home, "score")
    assert scored.exit_code == 0 and MESSAGE not in scored.stderr
    assert MESSAGE not in run(home, *args).stderr


def test_a_load_that_finishes_scores_leaves_no_warning(home):
    assert MESSAGE not in run(home, "load", str(BUNDLE)).stderr
    assert MESSAGE not in run(home, "top").stderr


@pytest.mark.parametrize("first", [True, False], ids=["first load", "later load"])
def test_a_load_with_no_score_leaves_the_scores_to_one_run_after_several(tmp_path, first):
    """Loading a year of monthly files at 500,000 HCPs would score after each (a minute or
    more): ``--no-score`` skips it, says so, and every later command warns until
    ``kolgraph score`` (also after a first load, which leaves no scores at all)."""
    home = tmp_path / "home"
    if not first:
        assert run(home, "load", str(BUNDLE)).exit_code == 0
    loaded = run(home, "load", str(BUNDLE), "--no-score")
    assert loaded.exit_code == 0, loaded.output
    assert "scored " not in loaded.stdout and "--no-score" in loaded.stderr
    assert MESSAGE in run(home, "top").stderr
    assert run(home, "score").exit_code == 0
    assert MESSAGE not in run(home, "top").stderr
