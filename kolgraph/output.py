"""Printing listings as a readable table, JSON or CSV (the ``--json`` / ``--csv`` flags).

CSV is for spreadsheets: a text cell a spreadsheet would run as a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return first) gets a leading ``'``, as in the exports.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import click

#: How many items of a list a table cell shows.
BRIEF_ITEMS = 3
#: What a spreadsheet would run as a formula at the start of a text cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def output_options(command):
    """Add the mutually exclusive ``--json`` / ``--csv`` flags to a listing command."""
    command = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")(command)
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")(
        command
    )


def chosen_format(as_json: bool, as_csv: bool) -> str:
    """``json``, ``csv`` or ``table``; both flags at once is a usage error."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    return "json" if as_json else "csv" if as_csv else "table"


def emit(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str], out: TextIO | None = None
) -> None:
    """Print ``rows`` (dicts with at least ``columns``) in the chosen format."""
    out = out or sys.stdout  # looked up at call time, so click's test runner captures it
    if fmt == "json":
        out.write(json_text([{c: row.get(c) for c in columns} for row in rows]) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_csv_cell(row.get(c)) for c in columns] for row in rows])
    else:
        out.write(table_text(rows, columns) + "\n")


def json_text(rows: Sequence[dict[str, Any]]) -> str:
    """A JSON array with one object per line.

    Each object is encoded compactly by the C encoder: ``indent=2`` would encode every list
    item on a line of its own in Python, 12 s for the 29,762 gaps of 500,000 HCPs (each
    listing its territory's MSLs).

    >>> print(json_text([{"a": 1, "b": ["x", "y"]}, {"a": None, "b": []}]))
    [
      {"a": 1, "b": ["x", "y"]},
      {"a": null, "b": []}
    ]
    >>> json_text([])
    '[]'
    """
    if not rows:
        return "[]"
    return "[\n" + ",\n".join("  " + _JSON_ROW.encode(row) for row in rows) + "\n]"


_JSON_ROW = json.JSONEncoder(default=str)  # dates and the like as text


def table_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain aligned text table (numbers right-aligned)."""
    values = [[row.get(c) for row in rows] for c in columns]
    widths = []
    aligned = []  # column by column: a big answer is tens of thousands of rows
    for name, column in zip(columns, values):
        briefs: dict[tuple, str] = {}  # a listing repeats lists (a territory's MSLs)
        texts = [
            _TABLE_TEXT[type(v)](v)
            if type(v) in _TABLE_TEXT
            else _brief_list(v, briefs)
            if type(v) is list
            else _cell(v, True)
            for v in column
        ]
        width = max(len(name), max(map(len, texts), default=0))
        numeric = bool(rows) and all(v is None or isinstance(v, (int, float)) for v in column)
        aligned.append(
            [t.rjust(width) for t in texts] if numeric else [t.ljust(width) for t in texts]
        )
        widths.append(width)
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(parts).rstrip() for parts in zip(*aligned)]
    if not rows:
        lines.append("(no rows)")
    return "\n".join(lines)


def _float_text(value: float) -> str:
    return f"{value:.1f}" if value == 0 or abs(value) >= 1 else f"{value:.3g}"


def _brief_list(value: list, briefs: dict[tuple, str]) -> str:
    """:func:`_cell` of a list in a table, made once per distinct first items and length."""
    try:
        key = (len(value), *value[:BRIEF_ITEMS])
        return briefs.get(key) or briefs.setdefault(key, _cell(value, True))
    except TypeError:  # unhashable items
        return _cell(value, True)


#: The common cells of a big answer, made text without :func:`_cell`'s checks.
_TABLE_TEXT: dict[type, Callable[[Any], str]] = {
    str: str,
    int: str,
    float: _float_text,
    type(None): lambda _: "",
}


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text (a leading ``'`` before a formula)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Any) -> str:
    text = _cell(value)
    return text if isinstance(value, (int, float)) else spreadsheet_text(text)


def _cell(value: Any, brief: bool = False) -> str:
    """One value as table/CSV text: lists joined with ``;`` (``brief``: the first few, then
    how many more), dicts as JSON, None blank."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        shown = value[:BRIEF_ITEMS] if brief else value
        more = len(value) - len(shown)
        return "; ".join(map(str, shown)) + (f" +{more} more" if more else "")
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, float):
        return _float_text(value)
    return str(value)
