"""The ``collaborators``, ``suggest``, ``path`` and ``intro`` commands, on an embedded store."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "store"))
from test_network_contract import network_batch

from kolgraph.cli import cli
from kolgraph.scoring import rescore
from kolgraph.store.sqlite import EmbeddedStore


@pytest.fixture
def home(tmp_path):
    """A store folder holding the hand-made graph of the network contract tests, scored as
    ``kolgraph load`` leaves it (unscored, every command would warn on stderr)."""
    folder = tmp_path / "home"
    with EmbeddedStore(folder) as store:
        store.load(network_batch())
        rescore(store, folder)
    return folder


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])


def test_collaborators_table_json_and_csv(home):
    table = run(home, "collaborators", "H02")
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == [
        "hcp_id",
        "name",
        "joint_publications",
        "last_year",
    ]
    assert [line.split()[0] for line in table.output.splitlines()[2:]] == ["H01", "H10", "H03"]
    rows = json.loads(run(home, "collaborators", "H02", "--json").output)
    assert rows[0] == {
        "hcp_id": "H01",
        "name": "FirstH01 LastH01",
        "joint_publications": 2,
        "last_year": 2018,
    }
    parsed = list(csv.DictReader(io.StringIO(run(home, "collaborators", "H02", "--csv").output)))
    assert [r["hcp_id"] for r in parsed] == ["H01", "H10", "H03"]


def test_unknown_hcp_is_a_clear_error(home):
    for command in (
        ["collaborators", "NOPE"],
        ["suggest", "NOPE"],
        ["path", "H01", "NOPE"],
        ["intro", "NOPE"],
    ):
        result = run(home, *command)
        assert result.exit_code == 1
        assert "no HCP with hcp_id 'NOPE'" in result.output
        assert "Traceback" not in result.output


def test_suggest_json_and_limit(home):
    result = run(home, "suggest", "H01", "--limit", "2", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["hcp_id"] for r in rows] == ["H10", "H03"]
    assert set(rows[0]) == {"hcp_id", "name", "score", "shared_coauthors", "shared_topics", "why"}
    assert rows[0]["shared_coauthors"] == ["FirstH02 LastH02"]


def test_suggest_table_shows_four_decimals(home):
    result = run(home, "suggest", "H01")
    assert result.exit_code == 0, result.output
    assert "1.6602" in result.output  # 1/ln 3 + 0.5 + 0.25
    assert run(home, "suggest", "H01", "--limit", "0").exit_code == 2


def test_path_one_line_per_hop(home):
    result = run(home, "path", "H01", "H03")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "FirstH01 LastH01 (H01) -> FirstH03 LastH03 (H03): 2 hops"
    assert lines[1] == (
        "  1. FirstH01 LastH01 (H01) co-author of FirstH02 LastH02 (H02): 2 joint papers, 2015-2018"
    )
    assert len(lines) == 3


def test_path_json(home):
    found = json.loads(run(home, "path", "H01", "H04", "--json").output)
    assert found["length"] == 1
    assert found["hops"][0]["via"] == "institution"
    assert found["hops"][0]["evidence"] == ["both at General Hospital (I1)"]


def test_no_path_exits_1_with_a_message_or_null(home):
    result = run(home, "path", "H01", "H12")
    assert result.exit_code == 1
    assert "no path between H01 and H12" in result.output
    as_json = run(home, "path", "H01", "H12", "--json")
    assert (as_json.exit_code, as_json.output.strip()) == (1, "null")


def test_same_hcp_twice_is_an_error(home):
    result = run(home, "path", "H01", "H01")
    assert result.exit_code == 1
    assert "same HCP" in result.output


def test_intro_text_and_json(home):
    result = run(home, "intro", "H04", "--as-of", "2024-06-30")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Introduction to FirstH04 LastH04 (H04) through "
        "FirstH01 LastH01 (H01), last touch 2024-03-01:"
    )
    found = json.loads(run(home, "intro", "H04", "--as-of", "2024-06-30", "--json").output)
    assert found["via_engaged"]["hcp_id"] == "H01"
    assert found["hops"][0]["via"] == "institution"


def test_intro_already_engaged_and_territory(home):
    engaged = run(home, "intro", "H02", "--as-of", "2024-06-30")
    assert engaged.exit_code == 0
    assert "is already engaged (last touch 2024-05-01)" in engaged.output
    nobody = run(home, "intro", "H05", "--as-of", "2024-06-30", "--territory", "NE")
    assert nobody.exit_code == 1
    assert "reaches H05" in nobody.output


def test_intro_rejects_bad_dates_and_windows(home):
    assert run(home, "intro", "H04", "--as-of", "30/06/2024").exit_code == 2
    negative = run(home, "intro", "H04", "--stale-days", "-1")
    assert negative.exit_code == 2
    assert "--stale-days" in negative.output
