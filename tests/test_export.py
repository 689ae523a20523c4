"""Target-list files: CSV content, a proper XLSX, never overwriting, atomic writes."""

from __future__ import annotations

import csv
import os
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from kolgraph import export
from kolgraph.answers.gaps import GapQuery
from kolgraph.errors import InputError
from kolgraph.export import MAX_WIDTH, export_targets

QUERY = GapQuery(top=50, territory="NE", stale_days=90, as_of=date(2024, 6, 30))
GENERATED = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
HEADERS = [
    "rank",
    "tier",
    "influence",
    "name",
    "hcp_id",
    "npi",
    "specialty",
    "institution",
    "territory",
    "last touch",
    "assigned MSLs",
    "reason",
    "hops to an engaged HCP",
    "via engaged HCP",
]


def row(n: int, **changes) -> dict:
    base = {
        "hcp_id": f"H{n}",
        "npi": "1234567893" if n == 1 else None,
        "name": f"Dr Number {n}",
        "territory": "NE",
        "tier": 1,
        "influence": 99.5 - n,
        "last_touch": "2024-01-15",
        "days_since_touch": 167,
        "touches_12m": 2,
        "msl_ids": ["M1", "M2"],
        "reason": "stale",
        "reach_hops": 1,
        "reach_via": "H9",
        "rank": n,
        "specialty": "Oncology",
        "institution": "General Hospital",
    }
    return base | changes


ROWS = [
    row(1),
    row(
        2,
        last_touch=None,
        days_since_touch=None,
        reason="never engaged",
        institution=None,
        name="Zoë Ünal-" + "Long" * 30,
    ),
    row(
        3,
        territory="W",
        msl_ids=[],
        reason="no MSL covers territory",
        name='=HYPERLINK("http://evil")',
        specialty="-2+3",
    ),
]


def test_csv_has_the_target_columns_in_order(tmp_path):
    out = tmp_path / "t.csv"
    assert export_targets(ROWS, out, QUERY) == 3
    with out.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == HEADERS
    assert lines[1] == [
        "1",
        "1",
        "98.5",
        "Dr Number 1",
        "H1",
        "1234567893",  # text, as a CRM import matches it
        "Oncology",
        "General Hospital",
        "NE",
        "2024-01-15",
        "M1; M2",
        "stale",
        "1",
        "H9",
    ]
    assert lines[2][3].startswith("Zoë Ünal-") and lines[2][7] == "" and lines[2][9] == ""
    # Text that a spreadsheet would run as a formula is quoted.
    assert lines[3][3] == '\'=HYPERLINK("http://evil")' and lines[3][6] == "'-2+3"
    assert lines[3][5] == "" and lines[3][10] == ""


def test_xlsx_is_a_proper_spreadsheet(tmp_path):
    out = tmp_path / "t.xlsx"
    export_targets(ROWS, out, QUERY, generated_at=GENERATED)
    book = load_workbook(out)
    assert book.sheetnames == ["Targets", "About"]
    sheet = book["Targets"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N4"
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[0][:4] == (1, 1, 98.5, "Dr Number 1")
    assert values[0][5] == "1234567893"  # the NPI as text, never a number
    assert values[0][9] == datetime(2024, 1, 15)  # a real date, sortable in Excel
    assert sheet.cell(2, 10).number_format == "yyyy-mm-dd"
    assert values[1][9] is None and values[2][10] is None
    formula_like = sheet.cell(4, 4)
    assert formula_like.value == '=HYPERLINK("http://evil")' and formula_like.data_type == "s"
    widths = {k: sheet.column_dimensions[k].width for k in "ABDJKL"}
    assert widths["A"] == len("rank") + 2
    assert widths["D"] == MAX_WIDTH  # the long name is capped
    assert widths["J"] == len("yyyy-mm-dd") + 2
    assert widths["L"] == len("no MSL covers territory") + 2


def test_xlsx_about_sheet_states_filters_date_time_and_count(tmp_path):
    out = tmp_path / "t.xlsx"
    export_targets(ROWS, out, QUERY, generated_at=GENERATED)
    about = book_about(out)
    assert about["top"] == "50" and about["territory"] == "NE"
    assert about["max tier"] == "(any tier)" and about["stale after (days)"] == "90"
    assert about["as of"] == "2024-06-30" and about["listed"] == "gaps only"
    assert about["generated at"] == "2024-07-01T09:30:00+00:00"
    assert about["rows"] == 3


def book_about(path) -> dict:
    return dict(load_workbook(path)["About"].iter_rows(min_row=2, values_only=True))


def test_default_tier_is_stated_when_no_filter_is_given(tmp_path):
    out = tmp_path / "t.xlsx"
    export_targets([], out, GapQuery(as_of=date(2024, 6, 30), include_engaged=True))
    about = book_about(out)
    assert (about["max tier"], about["top"], about["listed"], about["rows"]) == (
        "2",
        "(any rank)",
        "every selected HCP",
        0,
    )
    assert load_workbook(out)["Targets"].max_row == 1


def test_existing_file_needs_force(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old")
    with pytest.raises(InputError, match=r"t\.csv already exists; use --force"):
        export_targets(ROWS, out, QUERY)
    assert out.read_text() == "old"
    export_targets(ROWS, out, QUERY, force=True)
    assert out.read_text().startswith("rank,tier,")


@pytest.mark.parametrize(
    "name, message",
    [
        ("t.txt", "unknown export format '.txt'"),
        ("targets", "unknown export format '(no extension)'"),
        ("missing/t.csv", "does not exist"),
    ],
)
def test_bad_destinations_are_input_errors(tmp_path, name, message):
    with pytest.raises(InputError, match=re.escape(message)):
        export_targets(ROWS, tmp_path / name, QUERY)


def test_upper_case_suffix_is_accepted(tmp_path):
    export_targets(ROWS, tmp_path / "T.XLSX", QUERY)
    assert load_workbook(tmp_path / "T.XLSX").sheetnames == ["Targets", "About"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    out = tmp_path / "t.csv"
    out.write_text("old")

    def broken(rows, path, query, generated_at):
        path.write_text("half a fi")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_csv", broken)
    with pytest.raises(InputError, match=r"cannot write .*No space left on device"):
        export_targets(ROWS, out, QUERY, force=True)
    assert out.read_text() == "old"
    assert os.listdir(tmp_path) == ["t.csv"]


def test_the_file_appears_by_rename(tmp_path, monkeypatch):
    out = tmp_path / "t.csv"
    seen = []
    real_replace = os.replace

    def spy(source, target):
        seen.append((os.path.dirname(source), os.path.basename(source), str(target)))
        assert not out.exists()  # nothing at the destination until the rename
        real_replace(source, target)

    monkeypatch.setattr(export.os, "replace", spy)
    export_targets(ROWS, out, QUERY)
    ((folder, temp_name, target),) = seen
    assert folder == str(tmp_path) and temp_name.startswith(".t.csv.") and target == str(out)
    assert os.listdir(tmp_path) == ["t.csv"]
