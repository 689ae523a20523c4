"""``kolgraph explain`` and ``coverage`` on the real MEDLINE file as a new user meets them:
Shailja Singh's co-authors counted in words that agree with the number, and coverage before
any territory exists."""

from __future__ import annotations

import json

from click.testing import CliRunner
from shared_data import SHARED_DATA

from kolgraph.cli import cli

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"
SINGH = "PM-singh-S-26702303-3"


def test_co_authors_are_counted_in_joint_papers(tmp_path, real_data):
    def run(*args: str):
        result = CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(tmp_path), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    run("load", str(MEDLINE))
    out = run("explain", SINGH)
    assert out.startswith("Shailja Singh (PM-singh-S-26702303-3): influence ")
    assert "  Shalini Agarwal (PM-agarwal-S-26702305-2): 2 joint papers\n" in out
    assert "  M Z Abdin (PM-abdin-MZ-26702306-4): 1 joint paper\n" in out


def test_coverage_without_territories_says_how_to_get_them(tmp_path, real_data):
    """Real sources give HCPs no territory: coverage counts every tier 1-2 HCP in the row of
    no territory, and says on stderr why there is no other and how to get territories."""
    runner = CliRunner()
    home = ["--backend", "embedded", "--home", str(tmp_path)]
    assert runner.invoke(cli, [*home, "load", str(MEDLINE)]).exit_code == 0
    answer = runner.invoke(cli, [*home, "coverage", "--json"])
    unassigned = {"tier12_hcps": 706, "engaged": 0, "share": 0.0}
    assert json.loads(answer.stdout) == {"territories": [], "unassigned": unassigned, "msls": []}
    assert answer.stderr == ""
    text = runner.invoke(cli, [*home, "coverage", "--by", "territory"])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[-1].split() == ["(no", "territory)", "706", "0", "0.0", "0"]
    assert "no territory has a tier 1-2 HCP or an MSL yet" in text.stderr
    assert "kolgraph align RULES.csv" in text.stderr
