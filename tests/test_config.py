"""Settings from the environment: the co-author cap (``KOLGRAPH_COAUTHOR_MAX_AUTHORS``)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.config import DEFAULT_COAUTHOR_MAX_AUTHORS, Settings
from kolgraph.errors import ConfigError
from kolgraph.store import open_store


def test_the_cap_defaults_to_100(monkeypatch, tmp_path):
    monkeypatch.delenv("KOLGRAPH_COAUTHOR_MAX_AUTHORS", raising=False)
    assert Settings.from_env(home=tmp_path).coauthor_max_authors == DEFAULT_COAUTHOR_MAX_AUTHORS
    assert DEFAULT_COAUTHOR_MAX_AUTHORS == 100


def test_the_environment_sets_the_stores_cap(monkeypatch, tmp_path):
    monkeypatch.setenv("KOLGRAPH_COAUTHOR_MAX_AUTHORS", " 3 ")
    settings = Settings.from_env(backend="embedded", home=tmp_path)
    assert settings.coauthor_max_authors == 3
    with open_store(settings, create=True) as store:
        assert store.coauthor_max_authors == 3


@pytest.mark.parametrize("value", ["1", "0", "-5", "ten", "2.5"])
def test_a_bad_cap_is_a_config_error(monkeypatch, tmp_path, value):
    monkeypatch.setenv("KOLGRAPH_COAUTHOR_MAX_AUTHORS", value)
    with pytest.raises(ConfigError, match="KOLGRAPH_COAUTHOR_MAX_AUTHORS"):
        Settings.from_env(home=tmp_path)


def _bundle(folder):
    """Three HCPs, a 3-author paper and a 2-author paper."""
    folder.mkdir()
    (folder / "hcps.csv").write_text(
        "hcp_id,first_name,last_name\nA,Ann,Avery\nB,Bo,Berg\nC,Cy,Cole\n", encoding="utf-8"
    )
    (folder / "publications.csv").write_text(
        "pmid,title,year\n1,Three authors,2020\n2,Two authors,2021\n", encoding="utf-8"
    )
    (folder / "authorships.csv").write_text(
        "pmid,hcp_id,position\n1,A,1\n1,B,2\n1,C,3\n2,A,1\n2,B,2\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(("cap", "pairs"), [("2", 1), ("3", 3)])
def test_kolgraph_load_applies_the_cap_from_the_environment(tmp_path, cap, pairs):
    bundle, home = _bundle(tmp_path / "bundle"), tmp_path / "home"
    runner = CliRunner(env={"KOLGRAPH_COAUTHOR_MAX_AUTHORS": cap})
    loaded = runner.invoke(cli, ["--backend", "embedded", "--home", str(home), "load", str(bundle)])
    assert loaded.exit_code == 0, loaded.output
    stats = runner.invoke(cli, ["--backend", "embedded", "--home", str(home), "stats", "--json"])
    relationships = json.loads(stats.output)["relationships"]
    assert (relationships["AUTHORED"], relationships["COAUTHORED_WITH"]) == (5, pairs)


def test_a_bad_cap_is_one_clear_line(tmp_path):
    runner = CliRunner(env={"KOLGRAPH_COAUTHOR_MAX_AUTHORS": "many"})
    result = runner.invoke(cli, ["--home", str(tmp_path), "stats"])
    assert result.exit_code != 0
    assert "KOLGRAPH_COAUTHOR_MAX_AUTHORS" in result.output
    assert "Traceback" not in result.output
