"""``kolgraph load FOLDER`` of MEDLINE files (embedded store): file by file in name order,
each one's authors compared with those before it, scored once; a folder holding something
else is refused before anything is written, and a damaged file stops the folder there, naming
it and saying what was loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from medline_halves import SINGH, write_halves

from kolgraph.cli import cli
from kolgraph.demo import REAL_SAMPLE
from kolgraph.loaders import linkage
from kolgraph.store.sqlite import EmbeddedStore


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])


def folder_of_halves(tmp_path: Path) -> Path:
    folder = tmp_path / "medline"
    folder.mkdir()
    write_halves(folder)
    return folder


def test_a_folder_loads_file_by_file_and_scores_once(tmp_path):
    linkage.default_settings.cache_clear()
    folder = folder_of_halves(tmp_path)
    (folder / "notes.txt").write_text("not read: only .xml and .xml.gz files are\n")
    home = tmp_path / "home"

    checked = run(home, "validate", str(folder))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count(": valid; ") == 2
    loaded = run(home, "load", str(folder))

    assert loaded.exit_code == 0, loaded.output
    out = loaded.stdout
    assert out.index("even.xml (1 of 2):") < out.index("odd.xml (2 of 2):")
    assert out.count("scored ") == 1
    with EmbeddedStore(home) as store:
        held = store.slot_holders(sorted(SINGH)).values()
        assert len({h for h in held if h.startswith("PM-singh-S")}) == 1
        assert len(store.table("publications")) == 604


def test_a_folder_holding_other_xml_is_refused_before_any_load(tmp_path):
    folder = folder_of_halves(tmp_path)
    shutil.copy(REAL_SAMPLE / "ctgov" / "NCT00001177.xml", folder / "trial.xml")
    home = tmp_path / "home"
    refused = run(home, "load", str(folder), "--format", "pubmed")
    assert refused.exit_code == 1
    assert "not PubMed/MEDLINE XML: trial.xml; nothing was loaded" in refused.output
    assert not (home / "kolgraph.sqlite3").exists()


def test_a_damaged_file_stops_the_folder_there_and_says_what_was_loaded(tmp_path):
    folder = folder_of_halves(tmp_path)
    odd = folder / "odd.xml"
    odd.write_text(odd.read_text(encoding="utf-8")[:200_000], encoding="utf-8")  # cut short
    home = tmp_path / "home"
    failed = run(home, "load", str(folder))
    assert failed.exit_code == 1
    assert "odd.xml: line " in failed.stderr
    assert "odd.xml: nothing of it was loaded; the 1 file(s) before it are" in failed.stderr
    assert _publications(home) == 302


def _publications(home: Path) -> int:
    with EmbeddedStore(home) as store:
        return len(store.table("publications"))
