"""A team's own linkage model (``KOLGRAPH_LINKAGE_MODEL``, a copy of ``linkage_model.json``
with another threshold): a file that cannot be used is one clear line naming the file and
the line or field, and the load writes nothing; a copy older than a feature loads, and the
load says which features it weighs 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_data import SHARED_DATA

from kolgraph.cli import cli
from kolgraph.loaders import linkage
from kolgraph.store.sqlite import EmbeddedStore

PAPERS = SHARED_DATA / "pubmed" / "pubmed1.xml"


def shipped() -> dict:
    return json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8"))


def load_with(model: Path, home: Path, monkeypatch):
    monkeypatch.setenv("KOLGRAPH_LINKAGE_MODEL", str(model))
    linkage.default_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["--home", str(home), "load", str(PAPERS)])
    finally:
        linkage.default_settings.cache_clear()


def edited(value, *path: str) -> dict:
    """The shipped model with the field at ``path`` set to ``value`` (removed for ``GONE``)."""
    data = shipped()
    inner = data
    for key in path[:-1]:
        inner = inner[key]
    if value is GONE:
        del inner[path[-1]]
    else:
        inner[path[-1]] = value
    return data


GONE = object()


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "no such linkage model file"),
        ('{"weights": {\n', "line 2, column 1: not JSON (Expecting"),
        ("[1, 2]", "a linkage model is a JSON object"),
        (edited(GONE, "threshold"), "threshold: missing"),
        (edited("high", "threshold"), "threshold: 'high' is not a number"),
        (edited([1.0], "weights"), "weights: [1.0] is not an object"),
        (edited("1", "weights", "same_city"), "weights.same_city: '1' is not a number"),
        (
            edited(2.0, "weights", "same_instituton"),
            "unknown feature 'same_instituton'",
        ),
        (edited(0, "max_block_full"), "max_block_full: 0 is not a whole number"),
    ],
)
def test_a_model_file_that_cannot_be_used_is_one_clear_line(
    text, message, tmp_path, monkeypatch, real_data
):
    model = tmp_path / "model.json"
    if text is not None:
        model.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    result = load_with(model, tmp_path / "home", monkeypatch)
    assert result.exit_code == 1
    assert f"{model}: " in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    with EmbeddedStore(tmp_path / "home") as store:
        assert sum(store.stats()["nodes"].values()) == 0


def test_an_older_model_loads_and_says_what_it_weighs_0(tmp_path, monkeypatch, real_data):
    model = tmp_path / "older.json"
    model.write_text(json.dumps(edited(GONE, "weights", "surname_commonness")))
    result = load_with(model, tmp_path / "home", monkeypatch)
    assert result.exit_code == 0, result.output
    assert "linkage model: no weight for surname_commonness (weighed 0" in result.output
    monkeypatch.delenv("KOLGRAPH_LINKAGE_MODEL")
    shipped_load = CliRunner().invoke(cli, ["--home", str(tmp_path / "h2"), "load", str(PAPERS)])
    assert shipped_load.exit_code == 0 and "linkage model: no weight" not in shipped_load.output
