"""Read a canonical CSV bundle (a folder of CSV files, or one of them) into raw tables.

Reading checks what is wrong with the files themselves: unknown or empty files, bytes that
are not UTF-8, header rows with repeated or blank names, rows with too many or too few
fields.  Each is a :class:`~kolgraph.errors.Problem` on the returned bundle, so that
:func:`~kolgraph.loaders.validate.validate` reports them together with the problems in
the values.

pandas parses the cells (fast); a numpy pass over the raw bytes finds where each record
starts and how many fields it has, so problems name the real line even when a quoted cell
spans several lines.  A file that pass cannot lay out (bare ``\\r`` line ends, stray
quotes) is parsed again with the ``csv`` module, slower but exact.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import schema
from kolgraph.errors import InputError, Problem
from kolgraph.loaders.validate import RawBundle, RawTable

#: Canonical file name -> table name, in load order.
BUNDLE_FILES = {t.filename: t.name for t in schema.TABLES}
_EXPECTED = ", ".join(BUNDLE_FILES)
#: The widest header accepted: a canonical table has at most a dozen columns.
MAX_COLUMNS = 100


def read_bundle(path: Path | str) -> RawBundle:
    """The raw tables of a bundle folder, or of a single canonical CSV file.

    Problems with the files are collected on the bundle; a path that is neither a folder
    holding at least one canonical CSV nor a canonical CSV raises ``InputError``.
    """
    path = Path(path)
    if path.is_dir():
        files, problems = _bundle_files(path)
    elif path.is_file():
        files, problems = [_single_file(path)], []
    else:
        raise InputError(f"{path}: no such file or folder")
    bundle = RawBundle(problems=problems)
    # Two files at a time: pandas' tokenizer and numpy release the GIL for much of a read.
    with ThreadPoolExecutor(2, thread_name_prefix="kolgraph-read") as pool:
        for file, (table, file_problems) in zip(files, pool.map(_read_file, files)):
            bundle.problems += file_problems
            if table is None:
                bundle.unreadable.add(BUNDLE_FILES[file.name])
            else:
                bundle.tables[table.name] = table
    return bundle


def _bundle_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The canonical CSV files of a folder; any other ``.csv`` in it is a problem."""
    csvs = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    known = [p for p in csvs if p.name in BUNDLE_FILES]
    if not known:
        found = f" (found {', '.join(p.name for p in csvs)})" if csvs else ""
        raise InputError(f"{folder}: no canonical CSV file{found}; expected one of {_EXPECTED}")
    unknown = [Problem(p.name, 1, "file", _unknown_file(p.name)) for p in csvs if p not in known]
    return sorted(known, key=lambda p: list(BUNDLE_FILES).index(p.name)), unknown


#: What a single file that is no bundle file may have been meant to be.
_SOURCES = (
    "(a bundle's), or a source file kolgraph reads: PubMed/MEDLINE XML, an NPPES file, "
    "ClinicalTrials.gov records, Open Payments research payments, a CRM export with "
    "--format crm"
)


def _single_file(path: Path) -> Path:
    if path.name not in BUNDLE_FILES:
        raise InputError(f"{path}: {_unknown_file(path.name)} {_SOURCES}")
    return path


def _unknown_file(name: str) -> str:
    # compare stems: the shared ".csv" would make every name look close
    stems = [Path(f).stem for f in BUNDLE_FILES]
    close = difflib.get_close_matches(Path(name).stem.lower(), stems, n=1)
    hint = f"did you mean {close[0]}.csv? " if close else ""
    return f"unknown file; {hint}expected one of {_EXPECTED}"


def _read_file(path: Path) -> tuple[RawTable | None, list[Problem]]:
    """One canonical file's table (``None`` when unreadable) and its problems."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    return read_csv_table(BUNDLE_FILES[path.name], data, path.name)


def read_csv_table(name: str, data: bytes, source: str) -> tuple[RawTable | None, list[Problem]]:
    """One canonical table from the bytes of a CSV file, and the problems of the file.

    The table is ``None`` when the file cannot be read at all (empty, not UTF-8,
    an unterminated quote).  Rows with the wrong number of fields are reported and left out.
    """
    data = data.removeprefix(codecs.BOM_UTF8)
    problem = _unreadable(data, source) or _too_wide(data, source)
    if problem:
        return None, [problem]
    parsed = _parse_fast(data) or _parse_slow(data.decode("utf-8"))
    if isinstance(parsed, Problem):
        return None, [Problem(source, parsed.line, parsed.column, parsed.message)]
    if parsed is None:
        return None, [Problem(source, 1, "file", "empty file, expected a header row")]
    problems = parsed.problems(source)
    keep = ~parsed.ragged_mask
    frame = _named(parsed.frame.loc[keep].reset_index(drop=True), parsed.header)
    return RawTable(name, frame, parsed.lines[keep], source, parsed.header_line), problems


def _too_wide(data: bytes, source: str) -> Problem | None:
    """A header of more than :data:`MAX_COLUMNS` names, refused before any parsing (a
    header of thousands of repeated names took minutes)."""
    line_end = data.find(b"\n")
    width = data[: line_end if line_end >= 0 else len(data)].count(b",") + 1
    if width <= MAX_COLUMNS:
        return None
    return Problem(source, 1, "header", f"{width:,} columns; a file may have at most {MAX_COLUMNS}")


def _unreadable(data: bytes, source: str) -> Problem | None:
    """An empty file, or the first byte that is not UTF-8."""
    if not data.strip(b" \t\r\n"):
        return Problem(source, 1, "file", "empty file, expected a header row")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        return Problem(
            source, line, "file", f"not UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"
        )
    return None


def _named(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Positional columns renamed to the header, dropping blank and repeated names."""
    keep, seen = [], set()
    for position, name in enumerate(header):
        if name and name not in seen:
            keep.append(position)
            seen.add(name)
    named = frame[keep]
    named.columns = [header[p] for p in keep]
    return named


# --- parsing -----------------------------------------------------------------------------


@dataclass
class _Parsed:
    """A parsed CSV: the header, every data record (positional columns) and its layout."""

    header: list[str]
    frame: pd.DataFrame  # one row per data record, truncated / padded to the header
    lines: np.ndarray  # first line of each data record
    fields: np.ndarray  # number of fields each data record really has
    header_line: int = 1

    @property
    def ragged_mask(self) -> np.ndarray:
        return self.fields != len(self.header)

    def problems(self, source: str) -> list[Problem]:
        """Repeated or blank header names, and records with the wrong number of fields."""
        problems = _header_problems(self.header, source, self.header_line)
        width = len(self.header)
        for line, count in zip(self.lines[self.ragged_mask], self.fields[self.ragged_mask]):
            problems.append(
                Problem(
                    source, int(line), "row", f"{count} fields, expected {width} (as in the header)"
                )
            )
        return problems


def _header_problems(header: list[str], source: str, line: int) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        # spreadsheets in many locales save CSV with semicolons
        problems.append(Problem(source, line, "file", "fields must be separated by commas"))
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(source, line, f"column {position}", "blank column name"))
        elif name in first:
            problems.append(
                Problem(source, line, name, f"repeated column (also column {first[name]})")
            )
        else:
            first[name] = position
    return problems


def _parse_fast(data: bytes) -> _Parsed | None:
    """Parse with pandas, laid out by :func:`_layout`; ``None`` when the two disagree."""
    layout = _layout(data)
    if layout is None:
        return None
    starts, ends, lines, fields = layout
    header = _split_record(data[starts[0] : ends[0]])
    width = len(header)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=0,
            names=range(width),
            usecols=range(width),
            index_col=False,
            dtype=object,
            na_filter=False,
            encoding="utf-8",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if len(frame) != len(lines) - 1:
        return None  # pandas saw other records than the layout did: let csv decide
    return _Parsed(header, frame, lines[1:], fields[1:], int(lines[0]))


def _layout(data: bytes) -> tuple[np.ndarray, ...] | None:
    """Start, end, first line and field count of every non-blank record.

    A newline or comma ends a record or field only outside quotes, i.e. after an even
    number of ``"`` (a doubled ``""`` inside quotes keeps the count even).
    """
    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # old Mac line ends: only the csv module splits those records
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    newlines = np.flatnonzero(raw == ord("\n"))
    if not _quotes_at_field_edges(raw, quotes):
        return None  # a stray or unterminated quote: only the csv module can tell which
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    ends = np.concatenate((ends, [len(data)]))
    commas = np.flatnonzero(raw == ord(","))
    commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    fields = 1 + np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    lines = 1 + np.searchsorted(newlines, starts)
    keep = ~_blank_records(data, starts, ends, fields)
    return starts[keep], ends[keep], lines[keep], fields[keep]


def _quotes_at_field_edges(raw: np.ndarray, quotes: np.ndarray) -> bool:
    """Whether quotes pair up as in well-formed CSV: each opening quote starts a field and
    each closing quote ends one (``""`` inside quotes is a closing plus an opening quote)."""
    if len(quotes) % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    before = raw[np.maximum(opening - 1, 0)]
    after = raw[np.minimum(closing + 1, len(raw) - 1)]
    opens_field = (opening == 0) | np.isin(before, _FIELD_START) | (before == ord('"'))
    ends_field = (closing == len(raw) - 1) | np.isin(after, _FIELD_END) | (after == ord('"'))
    return bool(opens_field.all() and ends_field.all())


_FIELD_START = np.frombuffer(b",\n", dtype=np.uint8)
_FIELD_END = np.frombuffer(b",\r\n", dtype=np.uint8)


def _blank_records(
    data: bytes, starts: np.ndarray, ends: np.ndarray, fields: np.ndarray
) -> np.ndarray:
    """Records pandas skips: nothing but spaces, tabs and line ends (checked only for
    one-field records, so the Python loop is short for every canonical table)."""
    blank = np.zeros(len(starts), dtype=bool)
    for i in np.flatnonzero(fields == 1):
        blank[i] = not data[starts[i] : ends[i]].strip(b" \t\r")
    return blank


def _split_record(record: bytes) -> list[str]:
    """The stripped cells of one record (the header)."""
    return [cell.strip() for cell in next(csv.reader([record.decode("utf-8").rstrip("\r\n")]))]


def _parse_slow(text: str) -> _Parsed | Problem | None:
    """Parse with the ``csv`` module: exact for any file, slower; ``None`` if no header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, lines, line = [], [], 1
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip(" \t\r")):  # pandas skips blank lines
                records.append(row)
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        reason = "a quote opened here is never closed" if "end of data" in str(error) else error
        return Problem("", line, "row", f"malformed CSV record ({reason})")
    if not records:
        return None
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in records[1:]]
    frame = pd.DataFrame(rows, columns=range(width), dtype=object)
    fields = np.array([len(row) for row in records[1:]], dtype=np.int64)
    return _Parsed(header, frame, np.array(lines[1:], dtype=np.int64), fields, lines[0])
