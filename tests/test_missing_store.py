"""Only ``init`` and ``load`` create an embedded store; reading commands report a missing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.store.sqlite import DB_FILENAME

BUNDLE = Path(__file__).resolve().parent / "data" / "bundle_small"
READING = [
    ["stats"],
    ["score"],
    ["top"],
    ["gaps"],
    ["coverage"],
    ["insights"],
    ["explain", "H1"],
    ["collaborators", "H1"],
    ["suggest", "H1"],
    ["path", "H1", "H2"],
    ["intro", "H1"],
    ["export", "targets", "--out", "targets.csv"],
    ["export", "bundle", "bundle"],
]


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_reading_commands_never_create_a_store(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    result = run(home, *args)
    assert result.exit_code != 0
    assert "no embedded store" in result.output and "kolgraph init" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (home / DB_FILENAME).exists()


def test_validate_needs_no_store_and_creates_none(tmp_path):
    home = tmp_path / "home"
    result = run(home, "validate", str(BUNDLE))
    assert result.exit_code == 0, result.output
    assert not (home / DB_FILENAME).exists()


def test_init_and_load_create_the_store(tmp_path):
    assert run(tmp_path / "a", "init").exit_code == 0
    assert (tmp_path / "a" / DB_FILENAME).is_file()
    assert run(tmp_path / "a", "stats").exit_code == 0
    result = run(tmp_path / "b", "load", str(BUNDLE))
    assert result.exit_code == 0, result.output
    assert run(tmp_path / "b", "top").exit_code == 0
