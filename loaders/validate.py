"""Validate raw canonical tables into a typed :data:`~kolgraph.schema.Batch`, reporting every
problem at once.

Every loader produces a :class:`RawBundle`: per canonical table, a DataFrame of string cells
(blank = ``""``) with the column names of its source, and the source line of each row.
:func:`validate` trims every cell, checks the columns, values, keys and references the
input contract asks for, and returns the typed batch, or raises
:class:`~kolgraph.errors.ValidationFailed` carrying every :class:`~kolgraph.errors.Problem`.

Bundles hold millions of rows, so checks work on whole columns, once per distinct cell
(ids, years and names repeat: 11.7 M authorships at L hold 2.5 M distinct ids): numpy and
pandas operations, and ``str`` methods applied by numpy's C loop (:func:`_cellwise`).
Python loops run only over problem rows or cells that fail a fast check.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

from kolgraph import locations, schema
from kolgraph.errors import Problem, ValidationFailed
from kolgraph.schema import Batch, Table

#: The oldest year any year column may hold.
MIN_YEAR = 1900
#: Lower bounds of int columns (a position counts from 1; counts are never negative).
INT_MINIMUM = {"position": 1, "citation_count": 0}
#: The longest text cell (a title, an insight) and the longest id, in characters.
MAX_TEXT_LENGTH = 10_000
MAX_ID_LENGTH = 200
#: Id columns: every key column.  Ids go into URLs, links and HTML attributes, so they may not
#: hold ``/ ? # %``, backslashes, quotes, markup characters or whitespace.
ID_COLUMNS = frozenset(k for t in schema.TABLES for k in t.key)
#: Control characters (but tab and line breaks) and bidi embeddings, overrides and
#: isolates, which make text display differently from what it holds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NOT_IN_IDS = re.compile(r"[/?#%\\\"'<>&`\s]")


class KeyLookup(Protocol):
    """What validation needs from a store: which keys of an entity table already exist."""

    def existing_keys(self, table: str, keys: Iterable[str]) -> set[str]: ...


@dataclass
class RawTable:
    """One canonical table as a source holds it: string cells, not yet checked."""

    name: str  # canonical table name, e.g. "hcps"
    frame: pd.DataFrame  # every cell a str ("" = blank), columns as the source names them
    lines: np.ndarray  # source line of each row of ``frame``
    source: str = ""  # file name used in problems; defaults to the canonical file name
    header_line: int = 1  # where problems with the columns are reported

    def __post_init__(self) -> None:
        self.source = self.source or schema.TABLES_BY_NAME[self.name].filename
        self.lines = np.asarray(self.lines, dtype=np.int64)
        if len(self.lines) != len(self.frame):
            raise ValueError(
                f"{self.source}: {len(self.frame)} rows but {len(self.lines)} line numbers"
            )


@dataclass
class RawBundle:
    """Raw tables from one source, plus the problems found while reading it."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Tables whose file could not be read at all: references to them are not checked,
    #: since every one would be reported as unknown.
    unreadable: set[str] = field(default_factory=set)


def validate(
    raw: RawBundle,
    store: KeyLookup | None,
    today: date | None = None,
    insight_categories: Sequence[str] = schema.DEFAULT_INSIGHT_CATEGORIES,
) -> Batch:
    """The typed batch for ``raw``; raises ``ValidationFailed`` with every problem found.

    References resolve against the same load first, then ``store`` (``None``: an empty
    store).  Dates and years after ``today`` (default: the real today) are rejected.
    """
    problems = list(raw.problems)
    rules = _Rules(today or date.today(), tuple(insight_categories))
    batch, references = {}, {}
    for name, table in raw.tables.items():
        batch[name], table_problems, references[name] = _check_table(table, rules)
        problems += table_problems
    problems += _check_references(raw, batch, store, references)
    if problems:
        raise ValidationFailed(problems)
    return batch


@dataclass(frozen=True)
class _Rules:
    today: date
    categories: tuple[str, ...]


class _Column:
    """One column's distinct trimmed cells, which row holds which, and where they came from;
    collects its problems.

    Checks and conversions run once per distinct cell (``values``; ``codes`` maps each row
    to its cell): an id or a year repeated over millions of rows is looked at once, and
    the typed column shares one object per distinct value (:meth:`expand`).
    """

    def __init__(self, raw: RawTable, name: str, problems: list[Problem]):
        self.raw, self.name, self.problems = raw, name, problems
        if name in raw.frame.columns:
            self.codes, self.values = _distinct_cells(raw.frame[name])
        else:  # an optional column the source left out: blank everywhere
            self.codes, self.values = (
                np.zeros(len(raw.frame), dtype=np.intp),
                np.array([""], dtype=object),
            )
        self.blank = self.values == ""

    def flag(self, mask: np.ndarray, message: Callable[[str], str]) -> None:
        """Report ``message(value)`` for every row whose distinct cell ``mask`` holds for."""
        if not mask.any():
            return
        rows = np.flatnonzero(mask[self.codes])
        source, column = self.raw.source, self.name
        self.problems += [
            Problem(source, int(line), column, message(value))
            for line, value in zip(self.raw.lines[rows], self.values[self.codes[rows]])
        ]

    def expand(self, distinct: np.ndarray, into: np.ndarray) -> None:
        """Fill ``into`` with a value per row from ``distinct``, a value per distinct cell."""
        np.take(distinct, self.codes, out=into)

    def digits(self, length: int | None = None) -> np.ndarray:
        """Where the cell is ASCII digits only (of exactly ``length`` when given)."""
        ok = _isdigit(self.values).astype(bool) & _isascii(self.values).astype(bool)
        if length is not None:
            ok &= _length(self.values).astype(np.int64) == length
        return ok


def _cellwise(method: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """``method`` applied to every cell of an object array by numpy's C loop: no Python
    loop over rows, and several times faster than pandas' ``.str`` on object columns."""
    ufunc = np.frompyfunc(method, 1, 1)
    return lambda values: ufunc(values) if len(values) else np.zeros(0, dtype=object)


_strip, _lower, _length = _cellwise(str.strip), _cellwise(str.lower), _cellwise(len)
_isdigit, _isascii = _cellwise(str.isdigit), _cellwise(str.isascii)


def _distinct_cells(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(per row, the number of its cell; the distinct cells, trimmed), a missing cell (NaN,
    None) as ""."""
    codes, distinct = pd.factorize(cells.to_numpy(dtype=object))
    missing = codes < 0
    if missing.any():
        codes[missing] = len(distinct)
        distinct = np.append(np.asarray(distinct, dtype=object), "")
    return codes, _trimmed(pd.Series(distinct, dtype=object))


def _trimmed(cells: pd.Series) -> np.ndarray:
    """Cells as an object array of str, surrounding whitespace removed, missing -> ""."""
    values = cells.to_numpy(dtype=object)
    try:
        return _strip(values)
    except TypeError:  # a missing value (NaN, None, pd.NA) among the str: rarely, so look only now
        return _strip(np.where(pd.isna(values), "", values))


def _none_array(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _or_none(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``keep``, else None (an object array)."""
    out = _none_array(len(values))
    out[keep] = values[keep]
    return out


# --- one table ---------------------------------------------------------------------------


#: A column's values as numbers: per row, the index of its value in the distinct values.
_Numbered = tuple[np.ndarray, np.ndarray]


def _check_table(
    raw: RawTable, rules: _Rules
) -> tuple[pd.DataFrame, list[Problem], dict[str, _Numbered]]:
    """The typed frame of one table, its problems (header, values, duplicate keys), and its
    reference columns numbered (for :func:`_check_references`)."""
    table = schema.TABLES_BY_NAME[raw.name]
    problems = _check_header(raw, table)
    keys, references = {}, {}
    referring = {column for column, _target in table.references}
    # The typed columns as rows of one array, which becomes the frame's only block: a frame
    # made from separate columns copies them all into one (280 MB for the L authorships).
    typed = np.empty((len(table.columns), len(raw.frame)), dtype=object)
    for i, spec in enumerate(table.columns):
        column = _Column(raw, spec.name, problems)
        if spec.required and spec.name in raw.frame.columns:
            column.flag(column.blank, lambda _v: "required value is empty")
        if spec.name in raw.frame.columns:
            _check_characters(column, spec.name in ID_COLUMNS)
        distinct = _CONVERTERS[spec.kind](column, rules)
        if spec.name in table.key:
            keys[spec.name] = _key_numbers(column, distinct)
        if spec.name in referring:
            references[spec.name] = column.codes, distinct
        column.expand(distinct, into=typed[i])
    frame = pd.DataFrame(typed.T, columns=list(table.column_names), dtype=object, copy=False)
    if raw.name == "hcps":
        problems += _normalise_postal_codes(raw, frame)
    if raw.name == "affiliations":
        problems += _check_year_order(raw, frame)
    if all(k in raw.frame.columns for k in table.key):
        problems += _check_duplicates(raw, table, frame, [keys[k] for k in table.key])
    return frame, problems, references


def _key_numbers(column: _Column, distinct: np.ndarray) -> tuple[np.ndarray, int]:
    """Per row, a number per distinct typed value of a key column (-1: blank), and how
    many there are: cells equal once trimmed get one number."""
    numbers, values = pd.factorize(distinct)  # None -> -1
    return numbers[column.codes], len(values)


def _check_characters(column: _Column, is_id: bool) -> None:
    """Refuse over-long cells, control and bidi characters, and unsafe characters in ids;
    the cell is then blanked, so no later check reports it again."""
    limit = MAX_ID_LENGTH if is_id else MAX_TEXT_LENGTH
    long = _longer(column.values, limit)
    column.flag(long, lambda v: f"longer than {limit} characters ({len(v):,})")
    bad = ~long & _matching(_CONTROL, column.values, "\n")
    column.flag(bad, lambda v: f"holds a control or bidi character: {_visible(v)}")
    if is_id:
        unsafe = ~long & ~bad & _matching(_NOT_IN_IDS, column.values, ",")
        column.flag(
            unsafe,
            lambda v: (
                f"id {_visible(v)} holds a character ids may not have "
                "(/ ? # % \\ quotes < > & or spaces)"
            ),
        )
        bad |= unsafe
    refused = long | bad
    if refused.any():
        column.values = np.where(refused, "", column.values)
        column.blank = column.blank | refused


def _longer(values: np.ndarray, limit: int) -> np.ndarray:
    if not len(values) or max(map(len, values)) <= limit:  # the usual case, at C speed
        return np.zeros(len(values), dtype=bool)
    return _length(values).astype(np.int64) > limit


def _matching(pattern: re.Pattern, values: np.ndarray, separator: str) -> np.ndarray:
    """Where ``pattern`` occurs in a cell.  One scan of all cells joined by ``separator``
    (which the pattern never matches) first: most columns hold no such cell at all."""
    if not len(values) or not pattern.search(separator.join(values)):
        return np.zeros(len(values), dtype=bool)
    return _cellwise(lambda v: pattern.search(v) is not None)(values).astype(bool)


def _visible(value: str) -> str:
    """``value`` for a message: short, with control characters shown as escapes."""
    return ascii(value[:60]) if len(value) <= 60 else ascii(value[:60])[:-1] + "...'"


def _check_header(raw: RawTable, table: Table) -> list[Problem]:
    """Unknown columns (with the closest known name) and missing required columns."""
    known, line = table.column_names, raw.header_line
    problems = [
        Problem(raw.source, line, str(name), _unknown_column(str(name), known))
        for name in raw.frame.columns
        if name not in known
    ]
    problems += [
        Problem(raw.source, line, name, "missing required column")
        for name in table.required
        if name not in raw.frame.columns
    ]
    return problems


def _unknown_column(name: str, known: Sequence[str]) -> str:
    by_lower = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f"unknown column; did you mean {by_lower[close[0]]}?"
    return f"unknown column; expected one of {', '.join(known)}"


def _normalise_postal_codes(raw: RawTable, frame: pd.DataFrame) -> list[Problem]:
    """US postal codes as ZIP5 (ZIP+4 cut, leading zeros restored); a US place whose postal
    code is no ZIP is a problem.  Each distinct place is worked out once."""
    places = frame[["postal_code", "country", "state"]].fillna("")
    given = np.flatnonzero(places["postal_code"].to_numpy(dtype=object) != "")
    if not len(given):
        return []
    keys = list(zip(*(places[c].to_numpy(dtype=object)[given] for c in places.columns)))
    canonical = {key: locations.postal_code(*key) for key in dict.fromkeys(keys)}
    values = [canonical[key] for key in keys]
    frame.loc[frame.index[given], "postal_code"] = pd.Series(values, dtype=object).to_numpy()
    return [
        Problem(raw.source, int(raw.lines[row]), "postal_code", f"not a US ZIP code: {key[0]}")
        for row, key, value in zip(given, keys, values)
        if value is None
    ]


def _check_duplicates(
    raw: RawTable, table: Table, frame: pd.DataFrame, keys: list[tuple[np.ndarray, int]]
) -> list[Problem]:
    """One problem per repeated key, naming the line of its first occurrence; ``keys``:
    per key column, its :func:`_key_numbers`."""
    parts = [frame[k].to_numpy(dtype=object) for k in table.key]
    rows = np.flatnonzero(np.logical_and.reduce([numbers >= 0 for numbers, _ in keys]))
    combined = np.zeros(len(rows), dtype=np.int64)
    for numbers, count in keys:  # at most rows ** 2 for a key of two columns
        combined = combined * count + numbers[rows]
    if _all_distinct(combined):  # the usual case, without np.unique's five arrays
        return []
    _, first_index, inverse = np.unique(combined, return_index=True, return_inverse=True)
    first_row = rows[first_index[inverse]]
    repeated = np.flatnonzero(first_row != rows)
    column = ",".join(table.key)
    return [
        Problem(
            raw.source,
            int(raw.lines[rows[i]]),
            column,
            f"duplicate key {_show_key([p[rows[i]] for p in parts])} "
            f"(first on line {raw.lines[first_row[i]]})",
        )
        for i in repeated
    ]


def _all_distinct(numbers: np.ndarray) -> bool:
    ordered = np.sort(numbers)
    return not (ordered[1:] == ordered[:-1]).any()


def _show_key(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"


def _check_year_order(raw: RawTable, frame: pd.DataFrame) -> list[Problem]:
    start, end = frame["start_year"].to_numpy(), frame["end_year"].to_numpy()
    both = (start != None) & (end != None)  # noqa: E711 (elementwise)
    rows = np.flatnonzero(both)
    rows = rows[end[rows].astype(np.int64) < start[rows].astype(np.int64)]
    return [
        Problem(
            raw.source,
            int(raw.lines[r]),
            "end_year",
            f"end_year {end[r]} is before start_year {start[r]}",
        )
        for r in rows
    ]


# --- one column, by kind -----------------------------------------------------------------


def _to_text(column: _Column, _rules: _Rules) -> np.ndarray:
    return _or_none(~column.blank, column.values)


def _to_int(column: _Column, _rules: _Rules) -> np.ndarray:
    ok = column.digits() & (_length(column.values).astype(np.int64) <= _MAX_DIGITS)
    odd = np.flatnonzero(~ok & ~column.blank)  # usually none: negative, or not a number
    ok[odd] = [bool(_INT.fullmatch(v)) for v in column.values[odd]]
    column.flag(~ok & ~column.blank, lambda v: f"not a whole number: {v}")
    out, numbers = _ints(column.values, ok)
    minimum = INT_MINIMUM.get(column.name)
    if minimum is not None:
        column.flag(ok & (numbers < minimum), lambda v: f"must be {minimum} or more, got {v}")
    return out


_MAX_DIGITS = 18  # always fits an int64
_INT = re.compile(rf"-?[0-9]{{1,{_MAX_DIGITS}}}")


def _to_year(column: _Column, rules: _Rules) -> np.ndarray:
    ok = column.digits(4)
    column.flag(~ok & ~column.blank, lambda v: f"not a year: {v}")
    out, numbers = _ints(column.values, ok)
    column.flag(ok & (numbers < MIN_YEAR), lambda v: f"year {v} is before {MIN_YEAR}")
    column.flag(ok & (numbers > rules.today.year), lambda v: f"year {v} is in the future")
    return out


def _ints(values: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Python ints (None where not ``ok``), and the same as int64 (0 where not ``ok``)."""
    numbers = np.zeros(len(values), dtype=np.int64)
    numbers[ok] = values[ok].astype(np.int64)
    out = _none_array(len(values))
    out[ok] = numbers[ok].astype(object)  # int64 -> object gives Python ints
    return out, numbers


def _to_date(column: _Column, rules: _Rules) -> np.ndarray:
    ok = _iso_dates(column.values)
    column.flag(~ok & ~column.blank, lambda v: f"not a date (expected YYYY-MM-DD): {v}")
    # ISO dates compare as strings; a date equal to today is fine
    future = ok & (column.values > rules.today.isoformat())
    column.flag(future, lambda v: f"date {v} is in the future")
    return _or_none(ok, column.values)


def _iso_dates(values: np.ndarray) -> np.ndarray:
    """Where the cell is a real ``YYYY-MM-DD`` date: it parses, and prints back the same."""
    shaped = _length(values).astype(np.int64) == 10
    parsed = pd.to_datetime(
        pd.Series(_or_none(shaped, values), dtype=object), format="%Y-%m-%d", errors="coerce"
    )
    printed = np.datetime_as_string(parsed.to_numpy().astype("datetime64[D]"), unit="D")
    return shaped & (printed.astype(object) == values)


def _to_npi(column: _Column, _rules: _Rules) -> np.ndarray:
    shaped = column.digits(10)
    column.flag(~shaped & ~column.blank, lambda v: f"not a 10-digit NPI: {v}")
    ok = shaped.copy()
    ok[shaped] = _npi_check_digit_ok(column.values[shaped])
    column.flag(shaped & ~ok, lambda v: f"invalid NPI {v} (check digit does not match)")
    return _or_none(ok, column.values)


def _npi_check_digit_ok(npis: np.ndarray) -> np.ndarray:
    """Luhn check of 10-digit NPIs, prefixed with 80840 as the NPI standard says."""
    if not len(npis):
        return np.zeros(0, dtype=bool)
    ascii_codes = np.frombuffer("".join(npis).encode("ascii"), dtype=np.uint8).reshape(-1, 10)
    digits = ascii_codes.astype(np.int64) - ord("0")
    doubled = digits[:, 0:9:2] * 2  # every other digit, starting right of the check digit
    total = (doubled // 10 + doubled % 10).sum(axis=1) + digits[:, 1:9:2].sum(axis=1)
    return (10 - (total + _NPI_PREFIX_SUM) % 10) % 10 == digits[:, 9]


# The Luhn sum of the 80840 prefix: left of 10 digits, its 4 and middle 0 are doubled
# (8 + 0) and its 8, 8 and last 0 are not (16): 24, as the NPI standard states.
_NPI_PREFIX_SUM = 24


def _to_list(column: _Column, _rules: _Rules) -> np.ndarray:
    return _split_lists(column.values)


def _split_list(cell: str) -> list[str]:
    # Interned: a few thousand MeSH terms repeat over millions of papers (10 M items at L).
    return list(map(sys.intern, filter(None, map(str.strip, cell.split(";")))))


_split_lists = _cellwise(_split_list)


def _to_sentiment(column: _Column, _rules: _Rules) -> np.ndarray:
    return _vocabulary(column, schema.SENTIMENTS, "must be one of")


def _to_category(column: _Column, rules: _Rules) -> np.ndarray:
    return _vocabulary(column, rules.categories, "not an allowed insight category; allowed:")


def _vocabulary(column: _Column, allowed: Sequence[str], message: str) -> np.ndarray:
    """Values from a fixed vocabulary, matched ignoring case, spelled as the vocabulary."""
    spelling = {a.lower(): a for a in allowed}
    lowered = pd.Series(_lower(column.values), dtype=object, copy=False)
    mapped = lowered.map(spelling).to_numpy(dtype=object, na_value=None)
    listed = ", ".join(allowed)
    column.flag(
        (mapped == None) & ~column.blank,  # noqa: E711 (elementwise)
        lambda v: f"{message} {listed}; got {v}",
    )
    return mapped


_CONVERTERS: dict[str, Callable[[_Column, _Rules], np.ndarray]] = {
    "text": _to_text,
    "int": _to_int,
    "year": _to_year,
    "date": _to_date,
    "npi": _to_npi,
    "postal": _to_text,
    "list": _to_list,
    "sentiment": _to_sentiment,
    "category": _to_category,
}


# --- references across tables ------------------------------------------------------------


def _check_references(
    raw: RawBundle,
    batch: Batch,
    store: KeyLookup | None,
    numbered: dict[str, dict[str, _Numbered]],
) -> list[Problem]:
    """Every reference must resolve in this load or in the store (each distinct value
    looked up once: ``numbered``, per table, its reference columns as numbers)."""
    unresolvable = _unresolvable(raw)
    problems: list[Problem] = []
    for name, table in raw.tables.items():
        for column, target in schema.TABLES_BY_NAME[name].references:
            if column in table.frame.columns and target not in unresolvable:
                refs = batch[name][column]
                problems += _dangling(table, refs, numbered[name][column], target, batch, store)
    return problems


def _unresolvable(raw: RawBundle) -> set[str]:
    """Tables whose keys this load cannot know: unreadable, or read without the key column."""
    missing_key = {
        name
        for name, t in raw.tables.items()
        if not set(schema.TABLES_BY_NAME[name].key) <= set(t.frame.columns)
    }
    return raw.unreadable | missing_key


def _dangling(
    table: RawTable,
    refs: pd.Series,
    numbered: _Numbered,
    target: str,
    batch: Batch,
    store: KeyLookup | None,
) -> list[Problem]:
    key = schema.TABLES_BY_NAME[target].key[0]
    in_load = batch[target][key].dropna() if target in batch else pd.Series([], dtype=object)
    codes, distinct = numbered
    cells = pd.Series(distinct, dtype=object)
    missing = np.flatnonzero((cells.notna() & ~cells.isin(in_load)).to_numpy()[codes])
    if not len(missing):
        return []
    values = refs.to_numpy(dtype=object)[missing]
    wanted = [str(k) for k in pd.unique(values)]
    stored = store.existing_keys(target, wanted) if store is not None else set()
    dangling = missing[~pd.Series(values, dtype=object).isin(stored).to_numpy()]
    noun = _noun(target)
    return [
        Problem(table.source, int(table.lines[r]), str(refs.name), f"unknown {noun} {refs.iat[r]}")
        for r in dangling
    ]


def _noun(table_name: str) -> str:
    """How problems name an entity: ``HCP``, ``MSL``, ``publication``, ``institution``."""
    label = schema.TABLES_BY_NAME[table_name].label or table_name
    return label if label.isupper() else label.lower()
