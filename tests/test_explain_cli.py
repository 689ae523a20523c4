"""``kolgraph explain`` on the real MEDLINE file: Shailja Singh's components, papers and
co-authors, counted in words that agree with the number."""

from __future__ import annotations

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
