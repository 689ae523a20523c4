"""A source load never writes its blanks over what another source gave an HCP, on every store.

The shipped real sample: ClinicalTrials.gov makes Dong-Xin Wang (``CT-wang-dong-xin``,
credentials "MD, PhD", investigator on NCT03204344), and his MEDLINE author of PMID 26702328
is found to be him.  Loading the MEDLINE file again resolves that author to the stored HCP;
its row (no credentials, first name as PubMed writes it) must not replace his.
"""

from __future__ import annotations

from kolgraph.demo import REAL_SAMPLE
from kolgraph.loading import load_path

WANG = "CT-wang-dong-xin"
MEDLINE = REAL_SAMPLE / "pubmed" / "medline16n0902.xml.gz"


def wang(store) -> dict:
    return store.stored_rows("hcps", [WANG])[WANG]


def test_a_reloaded_source_keeps_the_fields_of_a_higher_ranked_source(store):
    load_path(REAL_SAMPLE / "ctgov", store, fmt="ctgov")
    load_path(MEDLINE, store, fmt="pubmed")
    before = wang(store)
    assert before["credentials"] == "MD, PhD" and before["first_name"] == "Dong-Xin"
    assert before["city"] == "Beijing"

    again = load_path(MEDLINE, store, fmt="pubmed")

    assert again.tables["hcps"].updated > 0
    assert wang(store) == before
    assert store.slot_holders(["26702328"])[("26702328", 17)] == WANG


def test_a_reloaded_source_keeps_fields_it_does_not_give(store, tmp_path):
    """A PubMed author's e-mail, given by the team's own file, stays through a PubMed reload."""
    load_path(MEDLINE, store, fmt="pubmed")
    holders = store.slot_holders(["26702328"])
    author = holders[("26702328", 17)]
    team = tmp_path / "hcps.csv"
    team.write_text(f"hcp_id,first_name,last_name,email\n{author},Dong-Xin,Wang,dx@example.org\n")
    load_path(team, store)

    load_path(MEDLINE, store, fmt="pubmed")

    row = store.stored_rows("hcps", [author])[author]
    assert row["email"] == "dx@example.org" and row["city"] == "Beijing"
