"""Target-list exports: coverage-gap rows written as CSV or XLSX, atomically.

A file is first written next to its destination under a temporary name, then renamed over it
(``os.replace``), so a reader never sees half a file and a failed export leaves nothing behind.
An existing file is replaced only when the caller says so (``force``).

Spreadsheet safety: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return would be run as a formula by Excel (CSV) or stored as one by openpyxl; in CSV such a
cell gets a leading ``'``, in XLSX it is stored as text.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from kolgraph.answers.gaps import GapQuery
from kolgraph.errors import InputError
from kolgraph.output import spreadsheet_text
from kolgraph.store.base import GraphStore

#: (row field, column header) of a target list, in order.
TARGET_COLUMNS = (
    ("rank", "rank"),
    ("tier", "tier"),
    ("influence", "influence"),
    ("name", "name"),
    ("hcp_id", "hcp_id"),
    ("npi", "npi"),
    ("specialty", "specialty"),
    ("institution", "institution"),
    ("territory", "territory"),
    ("last_touch", "last touch"),
    ("msl_ids", "assigned MSLs"),
    ("reason", "reason"),
    ("reach_hops", "hops to an engaged HCP"),
    ("reach_via", "via engaged HCP"),
)
FORMATS = (".csv", ".xlsx")
MAX_WIDTH = 60  # characters: wider columns wrap nothing and push the rest off screen


def target_rows(store: GraphStore, query: GapQuery) -> list[dict]:
    """The rows of a target list: ``coverage_gaps(query)``, each with the HCP's ``npi``
    (``None`` when unknown), the key a CRM import matches HCPs by."""
    rows = store.coverage_gaps(query)
    npis = store.hcp_npis([row["hcp_id"] for row in rows])
    return [{**row, "npi": npis.get(row["hcp_id"])} for row in rows]


def export_targets(
    rows: Sequence[dict],
    out: Path,
    query: GapQuery,
    *,
    force: bool = False,
    generated_at: datetime | None = None,
) -> int:
    """Write the target list ``rows`` (from ``coverage_gaps(query)``) to ``out``.

    The format follows the suffix (``.csv`` or ``.xlsx``).  Returns the number of rows.
    Raises :class:`InputError` for an unknown suffix, a missing folder, or an existing
    file without ``force``.
    """
    writer = check_destination(out, force)
    generated_at = generated_at or datetime.now(UTC)
    atomic_write(out, lambda path: writer(rows, path, query, generated_at))
    return len(rows)


def check_destination(out: Path, force: bool = False) -> Callable:
    """Check ``out`` can be written (known suffix, folder exists, no file unless ``force``);
    returns the writer for its format.  Raises :class:`InputError`."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{out}: unknown export format {out.suffix or '(no extension)'!r}; "
            "the file name must end in .csv or .xlsx"
        )
    if out.is_dir():
        raise InputError(f"{out} is a folder; give a file name ending in .csv or .xlsx")
    if out.exists() and not force:
        raise InputError(f"{out} already exists; use --force to overwrite it")
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    return _write_csv if suffix == ".csv" else _write_xlsx


def atomic_write(out: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a temporary file in ``out``'s folder, then rename it to ``out``."""
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as error:
        raise InputError(f"cannot write in {out.parent}: {error.strerror}") from None
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        os.replace(temp, out)
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror}") from None
    finally:
        temp.unlink(missing_ok=True)


# --- CSV ------------------------------------------------------------------------------------


def _write_csv(rows: Sequence[dict], path: Path, _query: GapQuery, _generated_at) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([header for _field, header in TARGET_COLUMNS])
        writer.writerows([_csv_cell(row.get(f)) for f, _h in TARGET_COLUMNS] for row in rows)


def _csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    return spreadsheet_text(value) if isinstance(value, str) else value


# --- XLSX -----------------------------------------------------------------------------------


def _write_xlsx(rows: Sequence[dict], path: Path, query: GapQuery, generated_at: datetime) -> None:
    from openpyxl import Workbook  # only exports need it

    book = Workbook()
    sheet = book.active
    sheet.title = "Targets"
    _fill(
        sheet,
        [h for _f, h in TARGET_COLUMNS],
        [[_xlsx_cell(f, row.get(f)) for f, _h in TARGET_COLUMNS] for row in rows],
    )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("About")
    facts = [
        ("list", "kolgraph target list (coverage gaps)"),
        *query.describe().items(),
        ("generated at", generated_at.isoformat(timespec="seconds")),
        ("rows", len(rows)),
    ]
    _fill(about, ["item", "value"], [list(f) for f in facts])
    book.save(path)


def _fill(sheet, headers: list[str], rows: list[list]) -> None:
    """Bold header row, then ``rows``; text stored as text; columns sized to their content."""
    from openpyxl.styles import Font

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(headers, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = _width(
            header, (r[index - 1] for r in rows)
        )


def _width(header: str, values) -> int:
    longest = max((len(_shown(v)) for v in values), default=0)
    return min(max(longest, len(header)) + 2, MAX_WIDTH)


def _shown(value) -> str:
    if isinstance(value, date):
        return "yyyy-mm-dd"
    return "" if value is None else str(value)


def _xlsx_cell(field: str, value):
    """Lists joined with ``;``, the last touch as a date (so Excel sorts and filters it),
    text without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, list):
        value = "; ".join(value)
    if field == "last_touch" and value:
        return date.fromisoformat(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
