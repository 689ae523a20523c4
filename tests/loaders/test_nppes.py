"""The NPPES loader on the real float-mangled sample in ``../shared/data/nppes``.

Counts are checked against a count made here straight from the CSV with pandas, not
through the loader's code.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from shared_data import SHARED_DATA

from kolgraph.errors import InputError
from kolgraph.loaders.nppes import looks_like_nppes, normalise_zip, read_nppes, read_taxonomy
from kolgraph.loaders.validate import validate

DATA = SHARED_DATA
pytestmark = pytest.mark.usefixtures("real_data")
SAMPLE = DATA / "nppes" / "nppes_sample.csv"
TAXONOMY = DATA / "nppes" / "nucc_taxonomy_150.csv"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    """The sample as pandas reads it, every cell a string."""
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def read():
    return read_nppes(SAMPLE)


def active(sample: pd.DataFrame) -> pd.Series:
    """Not deactivated, or reactivated on or after the deactivation."""
    off = pd.to_datetime(sample["NPI Deactivation Date"], format="%m/%d/%Y", errors="coerce")
    on = pd.to_datetime(sample["NPI Reactivation Date"], format="%m/%d/%Y", errors="coerce")
    return off.isna() | (on >= off)


def entity(sample: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(sample["Entity Type Code"], errors="coerce")


def load(read, store) -> None:
    store.load(validate(read.raw, store))


# --- counts against the source --------------------------------------------------------------


def test_every_active_individual_becomes_one_hcp(sample, read):
    expected = set(sample.loc[(entity(sample) == 1) & active(sample), "NPI"])
    hcps = read.raw.tables["hcps"].frame
    assert len(expected) == 733
    assert set(hcps["npi"]) == expected
    assert set(hcps["hcp_id"]) == {f"NPI-{npi}" for npi in expected}
    assert hcps["hcp_id"].is_unique


def test_every_active_organisation_becomes_one_institution(sample, read):
    expected = set(sample.loc[(entity(sample) == 2) & active(sample), "NPI"])
    institutions = read.raw.tables["institutions"].frame
    assert len(expected) == 188
    assert set(institutions["institution_id"]) == {f"NPI-{npi}" for npi in expected}


def test_deactivated_npis_are_skipped_and_counted(sample, read):
    assert read.records_read == len(sample) == 1000
    assert read.skipped == {"deactivated NPI": int((~active(sample)).sum())}
    assert read.skipped["deactivated NPI"] == 79
    # reactivated NPIs stay: the sample has 29 of them
    reactivated = sample.loc[sample["NPI Reactivation Date"] != "", "NPI"]
    assert len(reactivated) == 29
    assert set(reactivated) <= set(read.raw.tables["hcps"].frame["npi"])


def test_rows_carry_their_csv_line(sample, read):
    hcps = read.raw.tables["hcps"]
    first = hcps.frame.iloc[0]
    assert hcps.lines[0] == 2  # header is line 1
    assert sample.iloc[hcps.lines[5] - 2]["NPI"] == hcps.frame.iloc[5]["npi"]
    assert first["first_name"] == "DAVID" and first["last_name"] == "WIEBE"


# --- values -----------------------------------------------------------------------------------


def nucc() -> dict[str, tuple[str, str]]:
    """Code -> (classification, specialization), read with the csv module as cp1252."""
    with open(TAXONOMY, encoding="cp1252", newline="") as file:
        return {
            r["Code"]: (r["Classification"].strip(), r["Specialization"].strip())
            for r in csv.DictReader(file)
        }


def test_specialty_is_the_primary_taxonomy_from_nucc(sample, read):
    hcps = read.raw.tables["hcps"].frame.set_index("npi")
    # PILCHER: taxonomy 1 is primary; GRESSOT: taxonomy 1 has switch N, taxonomy 2 has Y
    pilcher = sample[sample["NPI"] == "1588667638"].iloc[0]
    gressot = sample[sample["NPI"] == "1215930367"].iloc[0]
    assert gressot["Healthcare Provider Primary Taxonomy Switch_1"] == "N"
    assert gressot["Healthcare Provider Primary Taxonomy Switch_2"] == "Y"
    codes = nucc()
    for row, column in (
        (pilcher, "Healthcare Provider Taxonomy Code_1"),
        (gressot, "Healthcare Provider Taxonomy Code_2"),
    ):
        classification, specialization = codes[row[column]]
        assert hcps.loc[row["NPI"], "specialty"] == f"{classification} - {specialization}"
    assert hcps.loc["1588667638", "specialty"] == "Internal Medicine - Cardiovascular Disease"


def test_without_a_primary_switch_the_first_taxonomy_is_used(sample, read):
    switches = [f"Healthcare Provider Primary Taxonomy Switch_{i}" for i in range(1, 16)]
    no_primary = sample[(entity(sample) == 1) & ~(sample[switches] == "Y").any(axis=1)]
    assert len(no_primary) > 0
    hcps = read.raw.tables["hcps"].frame.set_index("npi")
    codes = nucc()
    for _, row in no_primary.iterrows():
        classification, specialization = codes[row["Healthcare Provider Taxonomy Code_1"]]
        expected = f"{classification} - {specialization}" if specialization else classification
        assert hcps.loc[row["NPI"], "specialty"] == expected


def test_names_places_and_float_codes_are_normalised(read):
    hcps = read.raw.tables["hcps"].frame.set_index("npi")
    wiebe = hcps.loc["1679576722"]
    assert wiebe[["first_name", "last_name", "credentials"]].tolist() == ["DAVID", "WIEBE", "M.D."]
    assert (wiebe["city"], wiebe["state"], wiebe["country"]) == ("KEARNEY", "NE", "United States")
    org = read.raw.tables["institutions"].frame.set_index("institution_id").loc["NPI-1497758544"]
    assert org["name"] == "CUMBERLAND COUNTY HOSPITAL SYSTEM, INC"
    assert org["type"] == "Hospice Care, Community Based"  # NUCC classification of 251G00000X
    evidence = read.identities.set_index("hcp_id").loc["NPI-1679576722", "evidence"]
    assert "practice ZIP 68847-2944" in evidence  # "688472944.0" in the file


def test_postal_codes_are_the_practice_zip5(read):
    hcps = validate(read.raw, None)["hcps"].set_index("hcp_id")["postal_code"]
    assert hcps["NPI-1588667638"] == "32204"  # ZIP+4 322044736.0
    assert hcps["NPI-1396748448"] == "13069"  # 13069.0
    assert hcps["NPI-1477556421"] == "08051"  # ZIP+4 80511606.0: its leading zero restored
    shown = hcps.dropna()
    assert len(shown) > 600 and shown.str.fullmatch(r"\d{5}").all()


def test_zip_codes_get_their_leading_zeros_back():
    cells = pd.Series(["688472944.0", "13069.0", "6114.0", "68482168.0", "501", "", "K1A 0B1"])
    assert normalise_zip(cells).tolist() == [
        "68847-2944",
        "13069",
        "06114",
        "06848-2168",
        "00501",
        "",
        "K1A 0B1",
    ]


def test_float_mangled_codes_and_npis(tmp_path, sample):
    rows = sample.iloc[[0, 2]].copy()
    rows["NPI"] = ["1.679576722E9", "1497758544.0"]
    rows["Entity Type Code"] = ["1", "2.0"]
    path = tmp_path / "mangled.csv"
    rows.to_csv(path, index=False)
    read = read_nppes(path, taxonomy_path=TAXONOMY)
    assert read.raw.tables["hcps"].frame["npi"].tolist() == ["1679576722"]
    assert read.raw.tables["institutions"].frame["institution_id"].tolist() == ["NPI-1497758544"]
    validate(read.raw, None)  # the NPIs pass the check-digit test


def test_taxonomy_file_is_cp1252(read):
    with pytest.raises(UnicodeDecodeError):
        TAXONOMY.read_text(encoding="utf-8")
    taxonomy = read_taxonomy(TAXONOMY)
    assert taxonomy.loc["207RC0000X", "Specialization"] == "Cardiovascular Disease"


def test_without_a_taxonomy_file_specialties_are_blank(tmp_path):
    copy = tmp_path / "nppes.csv"
    copy.write_bytes(SAMPLE.read_bytes())
    read = read_nppes(copy)
    assert (read.raw.tables["hcps"].frame["specialty"] == "").all()
    assert any("taxonomy" in note for note in read.notes)


# --- bad input, format detection --------------------------------------------------------------


def test_a_missing_column_is_an_input_error_naming_file_and_column(tmp_path, sample, embedded):
    path = tmp_path / "no_entity.csv"
    sample.drop(columns=["Entity Type Code"]).head(5).to_csv(path, index=False)
    before = embedded.stats()
    with pytest.raises(InputError, match=r'no_entity\.csv.*"Entity Type Code"'):
        load(read_nppes(path), embedded)
    assert embedded.stats() == before


def test_another_format_is_an_input_error():
    with pytest.raises(InputError, match="not an NPPES dissemination file"):
        read_nppes(DATA / "open_payments" / "OP_RSRCH_IA_2013.csv")


def test_format_detection_reads_the_header():
    assert looks_like_nppes(SAMPLE)
    assert not looks_like_nppes(TAXONOMY)
    assert not looks_like_nppes(DATA / "open_payments" / "OP_RSRCH_IA_2013.csv")
    assert not looks_like_nppes(DATA / "ctgov" / "xml_legacy")


# --- end to end -------------------------------------------------------------------------------


def test_loads_into_the_embedded_store_and_again_changes_nothing(read, embedded):
    load(read, embedded)
    stats = embedded.stats()
    assert stats["nodes"]["HCP"] == 733
    assert stats["nodes"]["Institution"] == 188
    assert sum(stats["relationships"].values()) == 0
    hcps = embedded.table("hcps")
    load(read_nppes(SAMPLE), embedded)
    assert embedded.stats() == stats
    pd.testing.assert_frame_equal(embedded.table("hcps"), hcps)
