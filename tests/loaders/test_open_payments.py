"""The Open Payments loader on the real Iowa research payments in ``../shared/data``.

Counts are checked against a count made here straight from the CSV with pandas (and, for
the physicians paid directly, with the csv module).
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from shared_data import SHARED_DATA

from kolgraph.errors import InputError
from kolgraph.loaders.open_payments import looks_like_open_payments, read_open_payments
from kolgraph.loaders.validate import validate

DATA = SHARED_DATA
pytestmark = pytest.mark.usefixtures("real_data")
FOLDER = DATA / "open_payments"
YEARS = {2013: FOLDER / "OP_RSRCH_IA_2013.csv", 2014: FOLDER / "OP_RSRCH_IA_2014.csv"}


@pytest.fixture(scope="module", params=sorted(YEARS), ids=str)
def year(request) -> int:
    return request.param


@pytest.fixture(scope="module")
def payments(year) -> pd.DataFrame:
    return pd.read_csv(YEARS[year], dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def read(year):
    return read_open_payments(YEARS[year])


def load(read, store) -> None:
    store.load(validate(read.raw, store))


def investigators(payments: pd.DataFrame) -> pd.DataFrame:
    """(profile id, NCT id, CCN, role) of every physician of every payment: the one paid
    directly (``Physician_Profile_ID``) and each principal investigator slot."""
    slots = []
    for i, column in enumerate(
        ["Physician_Profile_ID"] + [f"Principal_Investigator_{i}_Profile_ID" for i in range(1, 6)]
    ):
        slot = payments[[column, "ClinicalTrials_Gov_Identifier", "Teaching_Hospital_CCN"]]
        slot = slot.set_axis(["profile", "nct", "ccn"], axis=1)
        role = "research payment recipient" if i == 0 else "principal investigator"
        slots.append(slot.assign(role=role))
    slots = pd.concat(slots)
    return slots[slots["profile"] != ""]


# --- counts against the source --------------------------------------------------------------


def test_one_hcp_per_distinct_investigator_profile(payments, read):
    expected = set(investigators(payments)["profile"])
    hcps = read.raw.tables["hcps"].frame
    assert len(expected) > 200
    assert set(hcps["hcp_id"]) == {f"OP-{p}" for p in expected}
    assert hcps["hcp_id"].is_unique


def test_one_trial_per_distinct_nct_id(payments, read):
    nct = payments["ClinicalTrials_Gov_Identifier"]
    trials = read.raw.tables["trials"].frame
    assert set(trials["nct_id"]) == set(nct[nct != ""])
    assert read.records_read == len(payments)
    assert read.skipped == {"no ClinicalTrials.gov id": int((nct == "").sum())}


def test_one_role_per_investigator_and_trial(payments, read):
    slots = investigators(payments)
    expected: dict[tuple[str, str], str] = {}
    for profile, nct, role in zip(slots["profile"], slots["nct"], slots["role"]):
        if nct and expected.get((nct, f"OP-{profile}")) != "principal investigator":
            expected[(nct, f"OP-{profile}")] = role  # the investigator role wins
    roles = read.raw.tables["trial_roles"].frame
    assert dict(zip(zip(roles["nct_id"], roles["hcp_id"]), roles["role"])) == expected
    assert len(roles) == len(expected)
    assert set(roles["role"]) == {"principal investigator", "research payment recipient"}


def test_teaching_hospitals_and_their_investigators(payments, read):
    ccns = set(payments["Teaching_Hospital_CCN"]) - {""}
    institutions = read.raw.tables["institutions"].frame
    assert set(institutions["institution_id"]) == {f"CCN-{c}" for c in ccns}
    slots = investigators(payments)
    expected = {(f"OP-{p}", f"CCN-{c}") for p, c in zip(slots["profile"], slots["ccn"]) if c}
    affiliations = read.raw.tables["affiliations"].frame
    assert set(zip(affiliations["hcp_id"], affiliations["institution_id"])) == expected


def test_every_table_validates(read):
    batch = validate(read.raw, None)
    assert {name: len(frame) for name, frame in batch.items()} == {
        name: len(table.frame) for name, table in read.raw.tables.items()
    }


# --- values -----------------------------------------------------------------------------------


def test_an_investigator_in_full():
    read = read_open_payments(YEARS[2013])
    hcp = read.raw.tables["hcps"].frame.set_index("hcp_id").loc["OP-5433"]
    assert hcp.to_dict() == {
        "first_name": "ISAM",
        "last_name": "MARAR",
        "credentials": "MD",
        "specialty": "Internal Medicine",
        "city": "COUNCIL BLUFFS",
        "state": "IA",
        "postal_code": "51501",
        "country": "United States",
    }
    trial = read.raw.tables["trials"].frame.set_index("nct_id").loc["NCT00781391"]
    assert trial["title"] == "DU176b-C-U301"
    assert read.raw.tables["hcps"].lines[0] == 2  # the header is line 1


def test_specialty_drops_the_grouping_and_hospitals_get_their_usual_name():
    read = read_open_payments(YEARS[2014])
    specialties = set(read.raw.tables["hcps"].frame["specialty"])
    assert "Internal Medicine - Endocrinology, Diabetes & Metabolism" in specialties
    assert not any("Allopathic" in s for s in specialties)
    names = read.raw.tables["institutions"].frame.set_index("institution_id")["name"]
    assert names["CCN-160058"] == "UNIV OF IOWA HOSP & CLINIC"  # also "Univ of Iowa Hosp & Clinic"


# --- physicians paid directly (issue 13) -------------------------------------------------------


def _csv_physicians(path) -> tuple[dict[str, tuple], set[str]]:
    """Straight from the file with the csv module: profile id -> (first, last, city, NCT ids)
    of every physician paid directly, and the principal investigators' profile ids."""
    paid: dict[str, tuple] = {}
    investigators: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            investigators.update(
                row[f"Principal_Investigator_{i}_Profile_ID"].strip() for i in range(1, 6)
            )
            profile = row["Physician_Profile_ID"].strip()
            if profile:
                first, last, city, ncts = paid.get(profile, (None, None, None, set()))
                nct = row["ClinicalTrials_Gov_Identifier"].strip()
                paid[profile] = (
                    first or row["Physician_First_Name"].strip(),
                    last or row["Physician_Last_Name"].strip(),
                    city or row["Recipient_City"].strip(),
                    ncts | ({nct} if nct else set()),
                )
    return paid, investigators - {""}


@pytest.mark.parametrize(
    ("year", "physicians", "not_investigators"), [(2013, 30, 11), (2014, 33, 12)]
)
def test_physicians_paid_directly_become_hcps_with_their_studies(
    year, physicians, not_investigators
):
    paid, investigators = _csv_physicians(YEARS[year])
    assert (len(paid), len(set(paid) - investigators)) == (physicians, not_investigators)
    read = read_open_payments(YEARS[year])
    hcps = read.raw.tables["hcps"].frame.set_index("hcp_id")
    assert set(hcps.index) == {f"OP-{p}" for p in set(paid) | investigators}
    for profile, (first, last, city, _ncts) in paid.items():
        hcp = hcps.loc[f"OP-{profile}"]
        if profile not in investigators:  # their only record is the Physician_* columns
            assert (hcp["first_name"], hcp["last_name"], hcp["city"]) == (first, last, city)
            assert hcp["credentials"] in {"MD", "DO", "DDS", "DPM", "OD", "DC"}
    roles = read.raw.tables["trial_roles"].frame
    held = set(zip(roles["hcp_id"], roles["nct_id"]))
    assert all((f"OP-{p}", n) in held for p, (*_, ncts) in paid.items() for n in ncts)
    identities = read.identities
    assert {f"OP-{p}" for p in paid} <= set(identities["hcp_id"])


def test_a_physician_paid_directly_is_affiliated_with_the_payments_teaching_hospital(tmp_path):
    frame = pd.read_csv(YEARS[2013], dtype=str, keep_default_na=False)
    paid = frame[frame["Physician_Profile_ID"] != ""].head(1).copy()
    hospital = frame[frame["Teaching_Hospital_CCN"] != ""].iloc[0]
    paid["Teaching_Hospital_CCN"] = hospital["Teaching_Hospital_CCN"]
    paid["Teaching_Hospital_Name"] = hospital["Teaching_Hospital_Name"]
    path = tmp_path / "one_payment.csv"
    paid.to_csv(path, index=False)
    read = read_open_payments(path)
    affiliations = read.raw.tables["affiliations"].frame
    expected = (
        f"OP-{paid.iloc[0]['Physician_Profile_ID']}",
        f"CCN-{hospital['Teaching_Hospital_CCN']}",
    )
    assert list(zip(affiliations["hcp_id"], affiliations["institution_id"])) == [expected]


# --- bad input, format detection --------------------------------------------------------------


def test_a_missing_column_is_an_input_error_naming_file_and_column(tmp_path, embedded):
    path = tmp_path / "no_nct.csv"
    frame = pd.read_csv(YEARS[2013], dtype=str, keep_default_na=False, nrows=20)
    frame.drop(columns=["ClinicalTrials_Gov_Identifier"]).to_csv(path, index=False)
    before = embedded.stats()
    with pytest.raises(InputError, match=r'no_nct\.csv.*"ClinicalTrials_Gov_Identifier"'):
        load(read_open_payments(path), embedded)
    assert embedded.stats() == before


@pytest.mark.parametrize(
    "path",
    [DATA / "nppes" / "nppes_sample.csv", FOLDER / "IA_physicians_profile_totals.csv"],
    ids=["nppes", "profiles"],
)
def test_another_format_is_an_input_error(path):
    with pytest.raises(InputError, match="not an Open Payments research-payments file"):
        read_open_payments(path)


def test_format_detection_reads_the_header():
    assert all(looks_like_open_payments(p) for p in YEARS.values())
    assert not looks_like_open_payments(FOLDER / "IA_physicians_profile_totals.csv")
    assert not looks_like_open_payments(DATA / "nppes" / "nppes_sample.csv")
    assert not looks_like_open_payments(FOLDER)


# --- end to end -------------------------------------------------------------------------------


def test_both_years_load_into_the_embedded_store_and_again_change_nothing(embedded):
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in YEARS.values()]
    profiles = set().union(*(set(investigators(f)["profile"]) for f in frames))
    ncts = set().union(*(set(f["ClinicalTrials_Gov_Identifier"]) for f in frames)) - {""}
    ccns = set().union(*(set(f["Teaching_Hospital_CCN"]) for f in frames)) - {""}
    for path in YEARS.values():
        load(read_open_payments(path), embedded)
    stats = embedded.stats()
    assert stats["nodes"]["HCP"] == len(profiles)
    assert stats["nodes"]["Trial"] == len(ncts)
    assert stats["nodes"]["Institution"] == len(ccns)
    roles = embedded.table("trial_roles")
    for path in YEARS.values():
        load(read_open_payments(path), embedded)
    assert embedded.stats() == stats
    pd.testing.assert_frame_equal(embedded.table("trial_roles"), roles)
