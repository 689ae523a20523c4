"""``kolgraph identity review|merge|split`` on the real MEDLINE file ``medline16n0902.xml.gz``
(embedded store): under a lenient threshold the review lists a shaky merge; the steward
splits Apostolos Papalois's papers, a reload of the file keeps the split; every correction is audited, kept as
identity evidence and rescored; bad input is one clear line and exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_data import SHARED_DATA

from kolgraph.audit import recent
from kolgraph.cli import cli
from kolgraph.identities import all_evidence
from kolgraph.loaders import linkage
from kolgraph.store.sqlite import EmbeddedStore

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"
PAPALOIS = "PM-papalois-AE-26702238-3"
SPLIT = f"{PAPALOIS}-split-26702422"


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])


@pytest.fixture
def home(tmp_path, real_data):
    linkage.default_settings.cache_clear()  # the shipped model, whatever a test set before
    folder = tmp_path / "home"
    loaded = run(folder, "load", str(MEDLINE))
    assert loaded.exit_code == 0, loaded.output
    return folder


def authors(home: Path, pmid: str) -> set[str]:
    with EmbeddedStore(home) as store:
        table = store.table("authorships")
    return set(table[table["pmid"] == pmid]["hcp_id"])


JING = "PM-jing-G-25391656-5"


def test_review_lists_a_shaky_merge_with_its_evidence(tmp_path, monkeypatch, real_data):
    # a team that fears splits more than merges lowers the threshold (a copy of the model)
    model = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8")) | {"threshold": -1.0}
    (tmp_path / "lenient.json").write_text(json.dumps(model), encoding="utf-8")
    monkeypatch.setenv("KOLGRAPH_LINKAGE_MODEL", str(tmp_path / "lenient.json"))
    linkage.default_settings.cache_clear()
    home = tmp_path / "home"
    assert run(home, "load", str(MEDLINE)).exit_code == 0
    linkage.default_settings.cache_clear()
    monkeypatch.setenv("COLUMNS", "100")  # the terminal text is wrapped to the terminal
    result = run(home, "identity", "review", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    row = next(r for r in rows if r["hcp_id"] == JING)
    assert (row["kind"], row["confidence"]) == ("shaky merge", 0.35)
    assert "Binzhou Medical University" in row["evidence"][0]  # its hospital: the university
    # the weak merge joined "Jing, Guangjian" (2015) to "Jing, Gu" (2014): undo that one
    assert row["split_pmids"] == ["26702389"]
    fix = f"kolgraph identity split {JING} --pmids 26702389"
    text = run(home, "identity", "review", "--limit", "3").output
    assert f"1. shaky merge: Guangjian Jing ({JING}); influence" in text
    assert "     weakest merge: PMID 25391656 ~ PMID 26702389: compatible initials" in text
    assert f"   fix: {fix}\n   see: kolgraph explain-identity {JING}" in text
    explained = run(home, "explain-identity", JING).output
    assert "weakest merge: PMID 25391656 ~ PMID 26702389" in explained
    assert f"to undo the weakest merge: {fix}" in " ".join(explained.split())
    split = run(home, *fix.split()[1:])
    assert split.exit_code == 0, split.output
    papers = {pmid: authors(home, pmid) for pmid in ("25391656", "26702389")}
    assert JING in papers["25391656"] and JING not in papers["26702389"]
    assert f"{JING}-split-26702389" in papers["26702389"]
    after = json.loads(run(home, "identity", "review", "--json").output)
    assert not [r for r in after if r["hcp_id"] == JING]


def test_split_is_audited_rescored_and_kept_through_a_reload(home):
    result = run(home, "identity", "split", PAPALOIS, "--pmids", "26702422")
    assert result.exit_code == 0, result.output
    assert f"split 1 paper(s) of {PAPALOIS} into new HCP {SPLIT}; correction 1" in result.output
    assert "scored" in result.output
    assert authors(home, "26702422") >= {SPLIT} and PAPALOIS not in authors(home, "26702422")
    entry = recent(home)[0]
    assert (entry["via"], entry["action"], entry["what"]) == (
        "cli",
        "identity split",
        f"{PAPALOIS} -> {SPLIT}",
    )
    assert {r["hcp_id"] for r in all_evidence(home) if r["source"] == "steward"} == {
        PAPALOIS,
        SPLIT,
    }
    reload = run(home, "load", str(MEDLINE))
    assert (
        reload.exit_code == 0
        and "identity corrections kept: 1 (by stewards 1, links across sources 0)" in reload.output
    )
    assert SPLIT in authors(home, "26702422") and PAPALOIS in authors(home, "26702238")
    review = json.loads(run(home, "identity", "review", "--json").output)
    assert not [r for r in review if PAPALOIS in (r["hcp_id"], r["other_id"])]


def test_merge_back_then_reload(home):
    assert run(home, "identity", "split", PAPALOIS, "--pmids", "26702422").exit_code == 0
    merged = run(home, "identity", "merge", PAPALOIS, SPLIT)
    assert merged.exit_code == 0, merged.output
    assert f"merged {SPLIT} into {PAPALOIS} (1 authorship(s) moved); correction 2" in merged.output
    assert run(home, "load", str(MEDLINE)).exit_code == 0
    assert PAPALOIS in authors(home, "26702422") and SPLIT not in authors(home, "26702422")
    assert recent(home)[1]["action"] == "identity merge"


@pytest.mark.parametrize(
    "args, message",
    [
        (("merge", PAPALOIS, PAPALOIS), f"cannot merge HCP {PAPALOIS} into itself"),
        (("merge", PAPALOIS, "NOPE"), "unknown HCP NOPE"),
        (("split", "NOPE", "--pmids", "1"), "unknown HCP NOPE"),
        (("split", PAPALOIS, "--pmids", "26702422,1"), f"HCP {PAPALOIS} did not author PMID 1"),
        (("split", PAPALOIS, "--pmids", "26702422,26702238"), "every paper of HCP"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(home, args, message):
    before = authors(home, "26702422")
    result = run(home, "identity", *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert authors(home, "26702422") == before
    assert recent(home)[0]["action"] == "load"


def test_help_names_the_commands():
    result = CliRunner().invoke(cli, ["identity", "--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in ("review", "merge", "split"))


def test_corrections_with_no_score_leave_one_scoring_for_after_the_batch(home):
    """A steward working down a list at 500,000 HCPs would wait a minute or more for each
    correction's rescoring: ``--no-score`` leaves the scores out of date, said at once and
    by every later command, until ``kolgraph score``."""
    split = run(home, "identity", "split", PAPALOIS, "--pmids", "26702422", "--no-score")
    assert split.exit_code == 0, split.output
    assert "scored " not in split.output
    assert "run `kolgraph score` when you are done" in split.output
    merged = run(home, "identity", "merge", PAPALOIS, SPLIT, "--no-score")
    assert merged.exit_code == 0 and "scored " not in merged.output
    with EmbeddedStore(home) as store:
        assert store.scores_stale()
    assert "scores are out of date" in run(home, "identity", "review").output
    scored = run(home, "score")
    assert scored.exit_code == 0 and "scored " in scored.output
    with EmbeddedStore(home) as store:
        assert not store.scores_stale()
