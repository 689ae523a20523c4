"""The ClinicalTrials.gov loader on the real AACT fixtures in ``../shared/data/ctgov``.

Every XML and JSON file is read on its own; the folders are read whole and their counts
checked against a count made here with ElementTree / json, not through the loader.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from shared_data import SHARED_DATA

from kolgraph.errors import InputError
from kolgraph.loaders.ctgov import (
    PersonName,
    looks_like_ctgov,
    parse_person_name,
    read_ctgov,
    site_institution,
)
from kolgraph.loaders.institutions import parse_affiliation
from kolgraph.loaders.validate import validate

DATA = SHARED_DATA
pytestmark = pytest.mark.usefixtures("real_data")
XML = DATA / "ctgov" / "xml_legacy"
JSON = DATA / "ctgov" / "json_v2"
XML_FILES = sorted(XML.glob("*.xml"))
JSON_FILES = sorted(JSON.glob("*.json"))


def load(read, store) -> None:
    store.load(validate(read.raw, store))


def xml_nct_id(path: Path) -> str:
    return ET.parse(path).getroot().findtext("id_info/nct_id")


def json_nct_id(path: Path) -> str:
    return json.loads(path.read_text())["protocolSection"]["identificationModule"]["nctId"]


# --- every file ------------------------------------------------------------------------------


def test_the_fixture_folders_hold_what_the_readme_says():
    assert len(XML_FILES) == 63 and len(JSON_FILES) == 13


@pytest.mark.parametrize("path", XML_FILES + JSON_FILES, ids=lambda p: p.name)
def test_every_file_reads_and_validates(path):
    read = read_ctgov(path)
    nct_id = xml_nct_id(path) if path.suffix == ".xml" else json_nct_id(path)
    assert read.records_read == 1
    assert read.raw.tables["trials"].frame["nct_id"].tolist() == [nct_id]
    assert read.raw.tables["trials"].source == path.name
    batch = validate(read.raw, None)
    assert set(batch["trial_roles"]["nct_id"]) <= {nct_id}


# --- folders: counts against the source --------------------------------------------------------


@pytest.mark.parametrize(
    "folder, files, nct_id",
    [(XML, XML_FILES, xml_nct_id), (JSON, JSON_FILES, json_nct_id)],
    ids=["xml", "json"],
)
def test_a_folder_gives_one_trial_per_distinct_nct_id(folder, files, nct_id):
    distinct = {nct_id(f) for f in files}
    read = read_ctgov(folder)
    assert set(read.raw.tables["trials"].frame["nct_id"]) == distinct
    assert read.records_read == len(files)
    # the two "__alt_version__" files repeat an NCT id read from another file
    assert read.skipped["NCT id already read from another file"] == len(files) - len(distinct) == 1
    validate(read.raw, None)


def investigator_names(path: Path, role: str | None = None) -> set[str]:
    """Distinct names written for site investigators (of ``role``) and overall officials."""
    root = ET.parse(path).getroot()
    names = {
        i.findtext("last_name")
        for i in root.iter("investigator")
        if role is None or i.findtext("role") == role
    }
    if role is None:
        names |= {o.findtext("last_name") for o in root.iter("overall_official")}
    return names


def test_site_investigators_of_a_large_trial():
    path = XML / "NCT02465060.xml"
    roles = read_ctgov(path).raw.tables["trial_roles"].frame
    written = investigator_names(path)
    assert len(written) > 250
    assert len(roles) == len(written)  # every distinct name once, however many sites


@pytest.mark.parametrize("name", ["NCT02798588.xml", "NCT03521479.xml"])
def test_sub_investigators_keep_their_role(name):
    roles = read_ctgov(XML / name).raw.tables["trial_roles"].frame
    subs = investigator_names(XML / name, "Sub-Investigator")
    assert (roles["role"] == "sub-investigator").sum() == len(subs) > 0
    assert len(roles) == len(investigator_names(XML / name))


def test_an_official_becomes_an_hcp_with_role_and_affiliation():
    read = read_ctgov(XML / "NCT00001177.xml")
    hcp = read.raw.tables["hcps"].frame.set_index("hcp_id").loc["CT-schmidt-peter"]
    assert (hcp["first_name"], hcp["last_name"], hcp["credentials"]) == ("Peter", "Schmidt", "M.D.")
    roles = read.raw.tables["trial_roles"].frame
    assert roles.to_dict("records") == [
        {"nct_id": "NCT00001177", "hcp_id": "CT-schmidt-peter", "role": "principal investigator"}
    ]
    institutions = read.raw.tables["institutions"].frame.set_index("institution_id")
    affiliated = read.raw.tables["affiliations"].frame.set_index("hcp_id").loc["CT-schmidt-peter"]
    assert (
        institutions.loc[affiliated["institution_id"], "name"]
        == "National Institute of Mental Health (NIMH)"
    )


def test_sites_become_institutions_with_their_place():
    read = read_ctgov(XML / "NCT02465060.xml")
    sites = read.raw.tables["institutions"].frame
    uab = sites[sites["name"] == "University of Alabama at Birmingham Cancer Center"].iloc[0]
    assert (uab["city"], uab["state"], uab["country"]) == ("Birmingham", "Alabama", "United States")
    affiliations = read.raw.tables["affiliations"].frame
    falkson = affiliations[affiliations["hcp_id"] == "CT-falkson-carla"]
    assert uab["institution_id"] in set(falkson["institution_id"])


def test_site_ids_are_shared_with_parsed_affiliations_unless_anonymised():
    parsed = parse_affiliation("Duke University Medical Center, Durham, NC 27710, USA.")
    duke = site_institution("Duke University Medical Center", "Durham", "United States")
    assert duke == (parsed[0].institution_id, parsed[0].name)
    # a university's hospital is the university, and is named so
    michigan = "University of Michigan Health System (UMHS) VA Medical Center"
    assert site_institution(michigan, "Ann Arbor", "United States") == (
        "INST-university-of-michigan",
        "University of Michigan",
    )
    boston = site_institution("Local Institution", "Boston", "United States")
    lyon = site_institution("Local Institution", "Lyon", "France")
    assert boston[0] != lyon[0] and boston[1] == lyon[1] == "Local Institution"
    read = read_ctgov(XML)
    sites = read.raw.tables["institutions"].frame
    assert (sites["name"] == "Local Institution").sum() > 50


def test_organisations_named_as_officials_are_skipped():
    read = read_ctgov(XML / "NCT00081588.xml")  # "Tibotec Pharmaceuticals Clinical Trial"
    assert read.raw.tables["hcps"].frame.empty
    assert read.skipped == {"investigator or official that is not a person's name": 1}
    names = set(read.raw.tables["institutions"].frame["name"])
    assert "Tibotec Pharmaceutical Limited" not in names  # its affiliation is not a site


def test_api_v2_values_read_like_the_classic_format():
    trial = read_ctgov(JSON / "NCT00763412.json").raw.tables["trials"].frame.iloc[0]
    assert (trial["phase"], trial["status"], trial["start_year"]) == ("N/A", "Completed", "2006")
    assert trial["conditions"] == "Cystic Fibrosis Related Diabetes; Pancreatic Insufficiency"
    trial = read_ctgov(XML / "NCT00023673.xml").raw.tables["trials"].frame.iloc[0]
    assert (trial["phase"], trial["start_year"]) == ("Phase 1/Phase 2", "2001")


def test_a_studies_envelope_and_a_list_are_read(tmp_path):
    studies = [json.loads(JSON_FILES[i].read_text()) for i in (1, 2)]
    (tmp_path / "envelope.json").write_text(json.dumps({"studies": studies}))
    (tmp_path / "list.json").write_text(json.dumps(studies))
    for name in ("envelope.json", "list.json"):
        read = read_ctgov(tmp_path / name)
        assert read.raw.tables["trials"].frame["nct_id"].tolist() == [
            json_nct_id(JSON_FILES[1]),
            json_nct_id(JSON_FILES[2]),
        ]


@pytest.mark.parametrize(
    "written, expected",
    [
        ("John A. Smith, MD", PersonName("John", "Smith", "MD")),
        ("Peter J Schmidt, M.D.", PersonName("Peter", "Schmidt", "M.D.")),
        ("Megan E. B. Clowse, MD, MPH", PersonName("Megan", "Clowse", "MD, MPH")),
        ("Maria R. Tria Tirona", PersonName("Maria", "Tria Tirona", "")),
        ("R. Jeffrey Chang, M.D.", PersonName("R. Jeffrey", "Chang", "M.D.")),
        ("Minxiang (Michael) Gu", PersonName("Minxiang", "Gu", "")),
        ("Daniel K Benjamin, MD MPH PhD", PersonName("Daniel", "Benjamin", "MD MPH PhD")),
        ("Jane Roe MD PhD", PersonName("Jane", "Roe", "MD PhD")),
        ("Ludwig van Beethoven", PersonName("Ludwig", "van Beethoven", "")),
        ("Annamaria Staiano, Prof.", PersonName("Annamaria", "Staiano", "")),
        ("n khazragy lecturer, phD", PersonName("n", "khazragy", "phD")),
        ("Novartis Pharmaceuticals", None),
        ("GSK Clinical Trials", None),
        ("4968 Clinical Trial Leader", None),
        ("UCB Cares", None),
        ("Medical Director", None),
        ("Smith", None),
    ],
)
def test_written_names_are_parsed(written, expected):
    assert parse_person_name(written) == expected


# --- bad input, format detection --------------------------------------------------------------


@pytest.mark.parametrize(
    "source, message",
    [
        (XML / "NCT00001177.xml", "not well-formed XML"),
        (JSON / "NCT00763412.json", "not well-formed JSON"),
    ],
    ids=["xml", "json"],
)
def test_a_truncated_file_is_an_input_error_and_nothing_is_written(
    tmp_path, embedded, source, message
):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / XML_FILES[5].name).write_bytes(XML_FILES[5].read_bytes())  # a good file first
    data = source.read_bytes()
    (folder / f"truncated{source.suffix}").write_bytes(data[: len(data) // 2])
    before = embedded.stats()
    with pytest.raises(InputError, match=rf"truncated\{source.suffix}: {message}"):
        load(read_ctgov(folder), embedded)
    assert embedded.stats() == before


def test_json_that_is_not_a_study_is_an_input_error(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"resultCount": 0, "results": []}')
    with pytest.raises(InputError, match="no protocolSection"):
        read_ctgov(path)


@pytest.mark.parametrize(
    "path, message",
    [
        (DATA / "nppes" / "nppes_sample.csv", "expected .xml or .json"),
        (DATA / "pubmed" / "pubmed1.xml", "no ClinicalTrials.gov study"),
    ],
    ids=["csv", "pubmed"],
)
def test_another_format_is_an_input_error(path, message):
    with pytest.raises(InputError, match=message):
        read_ctgov(path)


def test_an_empty_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=re.escape("no .xml or .json")):
        read_ctgov(tmp_path)


def test_format_detection_reads_the_start_only():
    assert looks_like_ctgov(XML) and looks_like_ctgov(JSON)
    assert looks_like_ctgov(XML_FILES[0]) and looks_like_ctgov(JSON_FILES[0])
    assert not looks_like_ctgov(DATA / "pubmed" / "pubmed1.xml")
    assert not looks_like_ctgov(DATA / "nppes" / "npi_registry_api")
    assert not looks_like_ctgov(DATA / "nppes" / "nppes_sample.csv")


# --- end to end -------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [XML, JSON], ids=["xml", "json"])
def test_loads_into_the_embedded_store_and_again_changes_nothing(folder, embedded):
    read = read_ctgov(folder)
    tables = {name: t.frame for name, t in read.raw.tables.items()}
    load(read, embedded)
    stats = embedded.stats()
    nct_id, files = (xml_nct_id, XML_FILES) if folder == XML else (json_nct_id, JSON_FILES)
    assert stats["nodes"]["Trial"] == len({nct_id(f) for f in files})
    assert stats["nodes"]["HCP"] == len(tables["hcps"]) > 0
    assert stats["nodes"]["Institution"] == len(tables["institutions"])
    assert stats["relationships"]["INVESTIGATOR_ON"] == len(tables["trial_roles"])
    assert stats["relationships"]["AFFILIATED_WITH"] == len(tables["affiliations"])
    stored = embedded.table("trial_roles")
    load(read_ctgov(folder), embedded)
    assert embedded.stats() == stats
    pd.testing.assert_frame_equal(embedded.table("trial_roles"), stored)
