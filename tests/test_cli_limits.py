"""Out-of-range numbers and dates on every command: one clear message, exit status 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.store.sqlite import EmbeddedStore

HUGE = str(10**30)
#: (command line, option) pairs; the store is empty, so only the option can fail.
COMMANDS = [
    ["gaps", "--stale-days", "999999999"],
    ["gaps", "--stale-days", "-1"],
    ["gaps", "--as-of", "0001-01-01"],
    ["gaps", "--top", HUGE],
    ["gaps", "--max-tier", HUGE],
    ["coverage", "--stale-days", "999999999"],
    ["coverage", "--as-of", "0001-01-01"],
    ["top", "--limit", HUGE],
    ["top", "--limit", "-5"],
    ["suggest", "H1", "--limit", HUGE],
    ["intro", "H1", "--stale-days", "999999999"],
    ["intro", "H1", "--as-of", "0001-01-01"],
    ["insights", "--since", "0001-01-01"],
    ["changes", "--since", "0001-01-01"],
    ["changes", "--since", "2020-01-01", "--stale-days", "1000000"],
    ["insights", "--tier", HUGE],
    ["export", "targets", "--out", "t.csv", "--stale-days", "999999999"],
    ["export", "targets", "--out", "t.csv", "--as-of", "0001-01-01"],
    ["export", "targets", "--out", "t.csv", "--top", HUGE],
    ["generate", "--out", "bundle", "--as-of", "0001-01-01"],
    ["generate", "--out", "bundle", "--seed", "-1"],
    ["serve", "--port", HUGE],
    ["demo", "--no-serve", "--port", HUGE],
    ["neo4j", "start", "--port", HUGE],
    ["neo4j", "start", "--heap", "lots"],
    ["neo4j", "start", "--page-cache", "2.5g"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_out_of_range_option_is_a_usage_error(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    EmbeddedStore(tmp_path / "home").close()
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and args[-2] in errors[0]
    assert not (tmp_path / "t.csv").exists() and not (tmp_path / "bundle").exists()
