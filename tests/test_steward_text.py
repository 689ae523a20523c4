"""What a steward reads on a terminal: review rows and identity evidence as blocks, one fact
a line, commands on their own lines (``kolgraph identity review``, ``explain-identity``)."""

from __future__ import annotations

import pytest

from kolgraph.steward_text import explanation_text, review_text


@pytest.fixture(autouse=True)
def terminal_of_100_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # lines are wrapped to the terminal


DUPLICATE = {
    "kind": "likely duplicate",
    "hcp_id": "NPI-1234567890",
    "name": "Deborah Smith",
    "influence": 61.25,
    "other_id": "PM-smith-DL-101-1",
    "other_name": "D L Smith",
    "confidence": None,
    "evidence": ["same NPI 1234567890", "1 co-author(s) in common: Carl Jones (C1)"],
    "split_pmids": None,
    "action": "kolgraph identity merge NPI-1234567890 PM-smith-DL-101-1",
}


def test_a_duplicate_is_a_block_with_its_evidence_and_the_merge_command():
    assert review_text([DUPLICATE]).splitlines() == [
        "1. likely duplicate: Deborah Smith (NPI-1234567890) and D L Smith (PM-smith-DL-101-1);"
        " influence 61.2",
        "     same NPI 1234567890",
        "     1 co-author(s) in common: Carl Jones (C1)",
        "   fix: kolgraph identity merge NPI-1234567890 PM-smith-DL-101-1",
    ]


def test_nothing_to_review_says_so():
    assert review_text([]) == "Nothing to review: no likely duplicates and no shaky merges."


def test_each_source_record_names_how_it_was_resolved_and_which_record_it_was():
    found = {
        "hcp": {"hcp_id": "OP-1030992", "name": "Eric Epping", "npi": None, "orcid": None},
        "evidence": [
            {
                "source": "OP_RSRCH_IA_2013.csv",
                "source_ref": "line 269",
                "name_as_written": "Eric Epping",
                "method": "open payments profile id",
                "confidence": 1.0,
                "evidence": "CMS profile 1030992; Iowa City, IA",
                "split_pmids": None,
            },
            {
                "source": "pubmed",
                "source_ref": "11;12",
                "name_as_written": "Epping, E; Epping, Eric",
                "method": "name+evidence",
                "confidence": 0.62,
                "evidence": "2 paper(s) 2013-2014. weakest merge: PMID 11 ~ PMID 12: same city",
                "split_pmids": "12",
            },
        ],
    }
    assert explanation_text(found).splitlines() == [
        "Eric Epping (OP-1030992)  npi -  orcid -",
        "",
        "OP_RSRCH_IA_2013.csv: open payments profile id, confidence 1.00",
        "    written Eric Epping",
        "    line 269",
        "    CMS profile 1030992; Iowa City, IA",
        "",
        "pubmed: name+evidence, confidence 0.62",
        "    written Epping, E; Epping, Eric",
        "    PMID 11, 12",
        "    2 paper(s) 2013-2014",
        "    weakest merge: PMID 11 ~ PMID 12: same city",
        "    to undo the weakest merge: kolgraph identity split OP-1030992 --pmids 12",
    ]
