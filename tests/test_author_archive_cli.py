"""``kolgraph load`` of MEDLINE files one after the other (embedded store): the second file's
papers of Shailja Singh join the HCP the first made, her identity evidence is one row over
all five papers, and ``kolgraph validate`` leaves the author archive as it is."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from medline_halves import SINGH, write_halves

from kolgraph.cli import cli
from kolgraph.loaders import linkage
from kolgraph.loaders.author_archive import FILENAME
from kolgraph.store.sqlite import EmbeddedStore


def run(home: Path, *args: str):
    result = CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result


def singh(home: Path) -> set[str]:
    with EmbeddedStore(home) as store:
        held = store.slot_holders(sorted(SINGH))
    return {hcp_id for hcp_id in held.values() if hcp_id.startswith("PM-singh-S")}


def test_a_later_file_adds_papers_to_the_person_and_to_the_evidence(tmp_path):
    linkage.default_settings.cache_clear()
    even, odd = write_halves(tmp_path)
    home = tmp_path / "home"
    run(home, "load", str(even), "--no-score")
    archive = home / FILENAME
    written = archive.stat().st_mtime_ns

    checked = run(home, "validate", str(odd))
    assert "compared with papers loaded before" in checked.output
    assert archive.stat().st_mtime_ns == written  # validate writes nothing

    loaded = run(home, "load", str(odd), "--no-score")
    assert "compared with papers loaded before" in loaded.output
    (hcp_id,) = singh(home)
    explained = run(home, "explain-identity", hcp_id, "--json").stdout  # stderr: stale scores
    evidence = json.loads(explained)["evidence"]
    pubmed = [row for row in evidence if row["source"] == "pubmed"]
    assert [set(row["source_ref"].split(";")) for row in pubmed] == [SINGH]
    assert "5 paper(s) 2015" in pubmed[0]["evidence"]


def test_validate_before_any_load_creates_no_archive(tmp_path):
    even, _odd = write_halves(tmp_path)
    home = tmp_path / "home"
    run(home, "validate", str(even))
    assert not (home / FILENAME).exists()


def test_a_damaged_archive_stops_the_load_before_anything_is_written(tmp_path):
    even, _odd = write_halves(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    (home / FILENAME).write_bytes(b"not a database, whatever it once was")
    result = CliRunner().invoke(
        cli, ["--backend", "embedded", "--home", str(home), "load", str(even)]
    )
    assert result.exit_code == 1
    assert "cannot use the author archive (file is not a database); nothing was loaded" in (
        result.output
    )
    with EmbeddedStore(home) as store:
        assert len(store.table("publications")) == 0
