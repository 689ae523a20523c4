"""``kolgraph load`` and ``kolgraph identity link`` join one person's HCPs across sources, on
the real sample: Dong-Xin Wang, investigator on NCT03204344 (ClinicalTrials.gov) and author of
PMID 26702328 (MEDLINE), both at Peking University.  ``explain-identity`` shows why."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.demo import REAL_SAMPLE
from kolgraph.loaders.ctgov import read_ctgov
from kolgraph.loaders.pubmed import read_pubmed
from kolgraph.loaders.validate import validate
from kolgraph.store.sqlite import EmbeddedStore

TRIAL = REAL_SAMPLE / "ctgov" / "NCT03204344.xml"
MEDLINE = REAL_SAMPLE / "pubmed" / "medline16n0902.xml.gz"
WANG, WANG_PM = "CT-wang-dong-xin", "PM-wang-DX-26702328-17"


def run(home: Path, *args: str):
    result = CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_load_joins_the_paper_to_the_investigator_and_explains_why(tmp_path):
    home = tmp_path / "home"
    run(home, "load", str(TRIAL))
    output = run(home, "load", str(MEDLINE))
    assert "one person across sources: 1 HCP(s) joined (same name and place: 1)" in output
    found = json.loads(run(home, "explain-identity", WANG, "--json"))
    by_source = {row["source"]: row for row in found["evidence"]}
    link = by_source["cross-source"]
    assert (link["method"], link["confidence"]) == ("same name and place", 0.9)
    assert "institution in common: INST-university-of-peking" in link["evidence"]
    assert {"NCT03204344.xml", "pubmed"} <= set(by_source)  # both sources' own evidence
    assert json.loads(run(home, "identity", "link", "--dry-run", "--json")) == []


def test_identity_link_joins_a_store_loaded_before_linking_existed(tmp_path):
    """Loaded without the link step (as a store of an earlier version was): the command
    lists the link on --dry-run, then makes it."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        for read in (read_ctgov(TRIAL), read_pubmed(MEDLINE)):
            store.load(validate(read.raw, store))
    listed = json.loads(run(home, "identity", "link", "--dry-run", "--json"))
    assert [(r["keep_id"], r["other_id"], r["method"]) for r in listed] == [
        (WANG, WANG_PM, "same name and place")
    ]
    output = run(home, "identity", "link")
    assert "joined 1 HCP(s)" in output
    with EmbeddedStore(home) as store:
        authorships = store.table("authorships")
        assert set(authorships[authorships["pmid"] == "26702328"]["hcp_id"]) >= {WANG}
        assert WANG_PM not in set(store.table("hcps")["hcp_id"])
    assert json.loads(run(home, "identity", "link", "--dry-run", "--json")) == []
