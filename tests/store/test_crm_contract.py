"""CRM call exports on every store: mapping, NPI and e-mail look-ups, errors, rejects, reloads.

Runs once per store (see ``conftest.py``).  The store holds three HCPs (two sharing an NPI,
as after two sources named one person twice) and two MSLs; the export is written per test.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sample import frame

from kolgraph.errors import ValidationFailed
from kolgraph.loaders.crm import VEEVA_MAPPING, CrmMapping, read_mapping, rejects_path
from kolgraph.loading import load_crm

TODAY = date(2025, 6, 30)
NPI_1, NPI_SHARED, NPI_NOBODY = "1234567893", "1245319599", "1003000126"
MAPPING = CrmMapping(
    date_format="%m/%d/%Y",
    hcp_key="npi",
    msl_key="email",
    columns={
        "touchpoint_id": "Call Id",
        "date": "Call Date",
        "hcp": "NPI",
        "msl": "Owner Email",
        "topic": "Subject",
        "insight_category": "Category",
    },
    source="test.toml",
)
HEADER = "Call Id,Call Date,NPI,Owner Email,Subject,Category,Territory Note\n"
GOOD = (
    'C1,03/15/2025,1234567893,mona.north@example.com,"=HYPERLINK(""http://x"",""go"")",safety,a\n'
    "C2,3/16/2025,1234567893,MONA.NORTH@EXAMPLE.COM,Dosing,,b\n"
)


def _hcp(hcp_id: str, npi: str | None) -> tuple:
    return (hcp_id, "F", hcp_id, None, None, None, None, None, None, "North", npi, None, None)


@pytest.fixture
def roster(store):
    store.load(
        {
            "hcps": frame(
                "hcps", [_hcp("H1", NPI_1), _hcp("H2", NPI_SHARED), _hcp("H3", NPI_SHARED)]
            ),
            "msls": frame(
                "msls",
                [
                    ("M1", "Mona North", "North", None, "Mona.North@Example.com"),
                    ("M2", "Nate North", "North", None, None),
                ],
            ),
        }
    )
    return store


def export(tmp_path, rows: str, name: str = "calls.csv"):
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def touchpoints(store) -> dict[str, tuple]:
    table = store.table("touchpoints")
    return {
        r.touchpoint_id: (r.msl_id, r.hcp_id, r.date, r.topic, r.insight_category)
        for r in table.itertuples()
    }


def test_an_export_loads_by_npi_and_case_insensitive_email(roster, tmp_path):
    summary = load_crm(export(tmp_path, GOOD), roster, MAPPING, today=TODAY)
    assert touchpoints(roster) == {
        "C1": ("M1", "H1", "2025-03-15", '=HYPERLINK("http://x","go")', "safety"),
        "C2": ("M1", "H1", "2025-03-16", "Dosing", None),
    }
    assert (summary.fmt, summary.tables["touchpoints"].created) == ("crm", 2)


def test_every_bad_row_is_listed_by_line_and_nothing_is_written(roster, tmp_path):
    rows = GOOD + (
        f"C3,03/17/2025,{NPI_NOBODY},mona.north@example.com,x,,c\n"  # line 4
        "C4,03/17/2025,1234567893,nobody@example.com,x,,d\n"  # line 5
        "C5,02/30/2025,1234567893,mona.north@example.com,x,,e\n"  # line 6
        "C6,03/17/2025,1234567893,mona.north@example.com,x,gossip,f\n"  # line 7
        ",03/17/2025,1234567893,mona.north@example.com,x,,g\n"  # line 8
        f"C7,03/17/2025,{NPI_SHARED},mona.north@example.com,x,,h\n"  # line 9
        "C8,03/17/2025,12345,mona.north@example.com,x,,i\n"  # line 10
    )
    with pytest.raises(ValidationFailed) as failed:
        load_crm(export(tmp_path, rows), roster, MAPPING, today=TODAY)
    assert [str(p) for p in failed.value.problems] == [
        f"calls.csv:4: NPI: no HCP has NPI {NPI_NOBODY}",
        "calls.csv:5: Owner Email: no MSL has e-mail nobody@example.com",
        "calls.csv:6: Call Date: not a date (%m/%d/%Y): 02/30/2025",
        "calls.csv:7: Category: not an allowed insight category; allowed: unmet need, "
        "treatment practice, product perception, competitor, research interest, "
        "access and reimbursement, safety, other; got gossip",
        "calls.csv:8: Call Id: required value is empty",
        f"calls.csv:9: NPI: NPI {NPI_SHARED} is shared by HCPs H2, H3",
        "calls.csv:10: NPI: not a 10-digit NPI: 12345",
    ]
    assert roster.table("touchpoints").empty
    assert not rejects_path(tmp_path / "calls.csv").exists()


def test_skip_invalid_loads_the_good_rows_and_writes_the_bad_ones_unchanged(roster, tmp_path):
    bad = (
        f"C3,03/17/2025,{NPI_NOBODY},mona.north@example.com,  spaced  ,,c\n"
        "C4,03/17/2025,1234567893,nobody@example.com,=1+2,,d\n"
    )
    path = export(tmp_path, GOOD + bad)
    summary = load_crm(path, roster, MAPPING, skip_invalid=True, today=TODAY)
    assert set(touchpoints(roster)) == {"C1", "C2"}
    assert dict(summary.skipped) == {"rejected (written to calls.rejects.csv)": 2}
    with rejects_path(path).open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written == [
        [*HEADER.strip().split(","), "reason"],
        ["C3", "03/17/2025", NPI_NOBODY, "mona.north@example.com", "  spaced  ", "", "c",
         f"NPI: no HCP has NPI {NPI_NOBODY}"],
        ["C4", "03/17/2025", "1234567893", "nobody@example.com", "=1+2", "", "d",
         "Owner Email: no MSL has e-mail nobody@example.com"],
    ]  # fmt: skip


def test_loading_the_same_export_again_changes_nothing(roster, tmp_path):
    path = export(tmp_path, GOOD)
    load_crm(path, roster, MAPPING, today=TODAY)
    before = (touchpoints(roster), roster.stats())
    again = load_crm(path, roster, MAPPING, today=TODAY)
    assert (touchpoints(roster), roster.stats()) == before
    counts = again.tables["touchpoints"]
    assert (counts.created, counts.updated) == (0, 2)


def test_hcp_and_msl_ids_can_be_the_keys(roster, tmp_path):
    mapping = CrmMapping(
        "%Y-%m-%d",
        "hcp_id",
        "msl_id",
        {"touchpoint_id": "Call Id", "date": "Call Date", "hcp": "NPI", "msl": "Owner Email"},
    )
    path = export(tmp_path, "C1,2025-03-15,H3,M2,,,\nC2,2025-03-15,H9,M2,,,\n")
    with pytest.raises(ValidationFailed) as failed:
        load_crm(path, roster, mapping, today=TODAY)
    assert [str(p) for p in failed.value.problems] == ["calls.csv:3: NPI: unknown HCP H9"]


def test_the_shipped_veeva_mapping_reads_a_veeva_export(roster, tmp_path):
    mapping = read_mapping(VEEVA_MAPPING)
    path = tmp_path / "veeva.csv"
    header = ",".join(mapping.columns.values())
    path.write_text(
        f"{header}\na0X1,2025-03-15,{NPI_1},MONA.north@example.com,Face_to_face_vod,"
        "Drug X,Asked about dosing,treatment practice,positive\n",
        encoding="utf-8",
    )
    load_crm(path, roster, mapping, today=TODAY)
    assert touchpoints(roster) == {
        "a0X1": ("M1", "H1", "2025-03-15", "Drug X", "treatment practice")
    }


def test_after_a_steward_merge_the_shared_npi_and_the_merged_id_reach_the_kept_hcp(
    roster, tmp_path
):
    """H2 and H3 hold one NPI (two sources named one person twice): a call by that NPI is
    ambiguous until a steward merges them; then it, and a call naming H3 by id, are H2's."""
    roster.merge_hcps("H2", "H3")
    by_npi = export(tmp_path, f"C1,03/15/2025,{NPI_SHARED},mona.north@example.com,,,\n")
    load_crm(by_npi, roster, MAPPING, today=TODAY)
    mapping = CrmMapping(
        "%Y-%m-%d",
        "hcp_id",
        "msl_id",
        {"touchpoint_id": "Call Id", "date": "Call Date", "hcp": "NPI", "msl": "Owner Email"},
    )
    by_id = export(tmp_path, "C2,2025-03-16,H3,M2,,,\n", name="by_id.csv")
    load_crm(by_id, roster, mapping, today=TODAY)
    assert {k: v[1] for k, v in touchpoints(roster).items()} == {"C1": "H2", "C2": "H2"}
