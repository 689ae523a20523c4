"""The load pipeline across formats: detection, wrong flags, summaries, identity evidence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from shared_data import SHARED_DATA

from kolgraph.errors import InputError, NotFoundError
from kolgraph.identities import COLUMNS, all_evidence, explain_identity, record_identities
from kolgraph.loading import detect_format, load_path, validate_path
from kolgraph.schema import records
from kolgraph.store.sqlite import EmbeddedStore

DATA = SHARED_DATA
pytestmark = pytest.mark.usefixtures("real_data")
SMALL_BUNDLE = Path(__file__).parent / "data" / "bundle_small"


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "home") as opened:
        yield opened


@pytest.mark.parametrize(
    "path, fmt",
    [
        (DATA / "pubmed" / "medline16n0902.xml.gz", "pubmed"),
        (DATA / "pubmed" / "pubmed1.xml", "pubmed"),
        (DATA / "nppes" / "nppes_sample.csv", "nppes"),
        (DATA / "ctgov" / "xml_legacy", "ctgov"),
        (DATA / "ctgov" / "json_v2", "ctgov"),
        (DATA / "open_payments" / "OP_RSRCH_IA_2013.csv", "open-payments"),
        (SMALL_BUNDLE, "bundle"),
        (SMALL_BUNDLE / "hcps.csv", "bundle"),
    ],
)
def test_format_is_detected(path, fmt):
    assert detect_format(path) == fmt


def test_a_wrong_format_flag_names_the_right_one_and_writes_nothing(store):
    before = store.stats()
    with pytest.raises(InputError, match="looks like nppes, not pubmed"):
        load_path(DATA / "nppes" / "nppes_sample.csv", store, fmt="pubmed")
    assert store.stats() == before


def test_a_source_load_reports_records_skipped_and_notes(store):
    summary = load_path(DATA / "nppes" / "nppes_sample.csv", store)
    assert (summary.fmt, summary.records_read, summary.skipped["deactivated NPI"]) == (
        "nppes",
        1000,
        79,
    )
    text = summary.describe()
    assert "nppes: 1,000 records read" in text and "skipped 79: deactivated NPI" in text
    assert store.stats()["nodes"]["HCP"] == summary.tables["hcps"].created == 733


def test_validate_writes_nothing_for_a_source(store):
    validated = validate_path(DATA / "pubmed" / "pubmed1.xml", store)
    assert validated.total_rows > 0
    assert sum(store.stats()["nodes"].values()) == 0


def test_identity_evidence_is_kept_and_explained(store, tmp_path):
    summary = load_path(DATA / "pubmed" / "medline16n0902.xml.gz", store)
    home = tmp_path / "home"
    assert record_identities(home, summary.identities) == len(summary.identities)
    orcid_person = summary.identities[summary.identities["hcp_id"].str.startswith("ORCID-")].iloc[0]
    found = explain_identity(home, store, orcid_person["hcp_id"])
    hcps = store.table("hcps")
    assert [found["hcp"]] == records(hcps[hcps["hcp_id"] == orcid_person["hcp_id"]])
    assert [e["source"] for e in found["evidence"]] == ["pubmed"]
    assert found["evidence"][0]["confidence"] == 1.0
    with pytest.raises(NotFoundError):
        explain_identity(home, store, "NOPE")


def test_identity_evidence_written_before_split_suggestions_is_still_read(tmp_path):
    """An ``identities.sqlite3`` of an older version has no ``split_pmids``: its rows read as
    having no suggestion, and the next load's rows keep theirs."""
    home = tmp_path / "home"
    home.mkdir()
    with sqlite3.connect(home / "identities.sqlite3") as con:
        con.execute(
            "CREATE TABLE identities (hcp_id TEXT NOT NULL, source TEXT NOT NULL, "
            "source_ref TEXT NOT NULL, name_as_written TEXT, method TEXT, confidence REAL, "
            "evidence TEXT, recorded_at TEXT NOT NULL, PRIMARY KEY (hcp_id, source, source_ref))"
        )
        con.execute(
            "INSERT INTO identities VALUES ('A', 'pubmed', '1;2', 'Lee, K', 'name+evidence', "
            "0.6, '2 paper(s)', '2026-01-01')"
        )
    con.close()
    assert [(r["hcp_id"], r["split_pmids"]) for r in all_evidence(home)] == [("A", None)]
    row = ("B", "pubmed", "3;4", "Kim, J", "name+evidence", 0.55, "2 paper(s)", "4")
    assert record_identities(home, pd.DataFrame([row], columns=list(COLUMNS))) == 1
    assert [(r["hcp_id"], r["split_pmids"]) for r in all_evidence(home)] == [
        ("A", None),
        ("B", "4"),
    ]
