"""Postal codes from the source formats: PubMed affiliations, ClinicalTrials.gov sites, and
the place rules every loader shares (``kolgraph.locations``).  NPPES and Open Payments are
checked in their own test modules."""

from __future__ import annotations

import pytest
from shared_data import SHARED_DATA

from kolgraph import locations
from kolgraph.loaders.ctgov import read_ctgov
from kolgraph.loaders.institutions import parse_affiliation
from kolgraph.loaders.pubmed import read_pubmed
from kolgraph.loaders.validate import validate


@pytest.mark.parametrize(
    ("affiliation", "expected"),
    [
        ("Dept. of Medicine, Harvard Medical School, Boston, MA 02115, USA.", "02115"),
        ("Mayo Clinic, Rochester, Minnesota 55905-0001, USA", "55905"),
        ("Univ. of Iowa, Iowa City, IA, USA.", ""),  # no ZIP written
        ("Peking Union Medical College Hospital, Beijing 100730, China", ""),  # not the US
        ("Hopital Neurologique, Bron 69500, France", ""),
    ],
)
def test_a_us_zip_is_read_after_the_state_of_an_affiliation(affiliation, expected):
    (institution,) = parse_affiliation(affiliation)
    assert institution.postal_code == expected


@pytest.mark.parametrize(
    ("postal", "country", "state", "expected"),
    [
        ("2115", "USA", "MA", "02115"),
        ("322044736.0", "US", "FL", "32204"),
        ("02139-4307", "", "Massachusetts", "02139"),
        ("00959-5060", "Puerto Rico", "", "00959"),  # a US territory uses US ZIPs
        ("SW1A 1AA", "United Kingdom", "", "SW1A 1AA"),
        ("Boston", "US", "MA", None),
        ("", "US", "MA", None),
    ],
)
def test_postal_code_rules(postal, country, state, expected):
    assert locations.postal_code(postal, country, state) == expected


def test_source_postal_codes_blank_what_is_no_zip():
    assert locations.source_postal_codes(
        ["1234", "n/a", "75013"], ["US", "US", "France"], ["", "", ""]
    ) == ["01234", "", "75013"]


@pytest.mark.usefixtures("real_data")
def test_pubmed_authors_get_the_zip_of_their_latest_affiliation():
    hcps = validate(read_pubmed(SHARED_DATA / "pubmed" / "medline16n0902.xml.gz").raw, None)
    codes = hcps["hcps"].set_index("hcp_id")["postal_code"]
    # "Purdue University, West Lafayette, IN 47907-2038, USA" on PMID 17942999
    assert codes["PM-chandrasekaran-B-17942999-1"] == "47907"
    assert codes.notna().sum() > 400 and codes.dropna().str.fullmatch(r"\d{5}").all()


@pytest.mark.usefixtures("real_data")
def test_trial_investigators_get_their_site_zip():
    hcps = validate(read_ctgov(SHARED_DATA / "ctgov" / "xml_legacy").raw, None)["hcps"]
    codes = hcps.set_index("hcp_id")["postal_code"]
    assert (codes["CT-ortel-thomas"], codes["CT-dailler-frederic"]) == ("27710", "69500")
    assert codes["CT-baez-diaz-luis"] == "00959"  # Puerto Rico, ZIP+4 00959-5060
