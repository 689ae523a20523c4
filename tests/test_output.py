"""The CLI's ``--csv`` listings: text a spreadsheet would run as a formula is quoted, as in
the exports; numbers stay numbers."""

from __future__ import annotations

import csv
import io

from kolgraph.output import emit


def csv_lines(rows: list[dict], columns: list[str]) -> list[list[str]]:
    out = io.StringIO()
    emit(rows, "csv", columns, out)
    return list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_formula_text_is_quoted_and_numbers_are_not():
    rows = [
        {
            "name": '=HYPERLINK("http://evil")',
            "topic": "+1 dose",
            "note": "@SUM(A1)",
            "ids": ["-H1", "H2"],
            "delta": -3,
            "score": -0.25,
            "plain": "Oncology",
        }
    ]
    columns = list(rows[0])
    assert csv_lines(rows, columns)[1] == [
        '\'=HYPERLINK("http://evil")',
        "'+1 dose",
        "'@SUM(A1)",
        "'-H1; H2",
        "-3",
        "-0.25",
        "Oncology",
    ]


def test_a_tab_or_a_lone_sign_is_quoted_too():
    rows = [{"a": "\tcmd", "b": "-"}]
    assert csv_lines(rows, ["a", "b"])[1] == ["'\tcmd", "'-"]


def test_table_list_cells_of_the_same_first_items_differ_by_their_length():
    rows = [
        {"ids": ["M1", "M2", "M3", "M4"]},
        {"ids": ["M1", "M2", "M3", "M4"]},
        {"ids": ["M1", "M2", "M3", "M4", "M5"]},
        {"ids": [{"unhashable": 1}]},
        {"ids": []},
    ]
    out = io.StringIO()
    emit(rows, "table", ["ids"], out)
    cells = [line.strip() for line in out.getvalue().splitlines()[2:]]
    assert cells == [
        "M1; M2; M3 +1 more",
        "M1; M2; M3 +1 more",
        "M1; M2; M3 +2 more",
        "{'unhashable': 1}",
        "",
    ]
