"""Read a CRM call export (Veeva CRM, Salesforce, IQVIA OCE ...) into touchpoints.

A mapping file (TOML) says how the export is laid out::

    date_format = "%m/%d/%Y"      # strftime format of the call date
    hcp_key = "npi"               # the HCP column holds an NPI ("npi") or a kolgraph hcp_id
    msl_key = "email"             # the MSL column holds an e-mail (any case) or an msl_id

    [columns]                     # canonical touchpoint field -> the export's header
    touchpoint_id = "Call Id"
    date = "Call Date"
    hcp = "Account NPI"
    msl = "Owner Email"
    channel = "Channel"           # optional: topic, insight, insight_category, sentiment too

Each row becomes a ``touchpoints`` row: the date is read with ``date_format`` and written
``YYYY-MM-DD``; an NPI names the one stored HCP holding it; an e-mail the one MSL with it.
Then the rows go through the same checks as a bundle's (:func:`validate`), so an unknown
category or a date in the future is reported the same way, with the export's header as the
column.  Columns of the export the mapping does not name are ignored: exports carry many.

:func:`read_crm` returns every problem; :func:`split_rejects` separates the rows that have
one (written, unchanged plus a ``reason`` column, by :func:`write_rejects`).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from kolgraph import schema
from kolgraph.errors import InputError, Problem, ValidationFailed
from kolgraph.loaders.bundle import read_csv_table
from kolgraph.loaders.nppes import digits_only
from kolgraph.loaders.validate import RawBundle, RawTable, validate

#: Canonical touchpoint fields a mapping may name, and those it must.
FIELDS = (
    "touchpoint_id",
    "date",
    "hcp",
    "msl",
    "channel",
    "topic",
    "insight",
    "insight_category",
    "sentiment",
)
REQUIRED_FIELDS = ("touchpoint_id", "date", "hcp", "msl")
HCP_KEYS = ("npi", "hcp_id")
MSL_KEYS = ("msl_id", "email")
#: Mapping field -> canonical touchpoints column.
CANONICAL = {"hcp": "hcp_id", "msl": "msl_id"}
#: The column the rejects file adds.
REASON = "reason"
#: The Veeva CRM mapping shipped with kolgraph (see docs/territories-and-crm.md).
VEEVA_MAPPING = Path(__file__).with_name("mappings") / "veeva_crm_calls.toml"


@dataclass(frozen=True)
class CrmMapping:
    """How a CRM export names the touchpoint fields (see the module docstring)."""

    date_format: str
    hcp_key: str
    msl_key: str
    columns: dict[str, str]
    source: str = ""

    def header(self, column: str) -> str:
        """The export's header for a canonical touchpoints column (or mapping field)."""
        field_name = {v: k for k, v in CANONICAL.items()}.get(column, column)
        return self.columns.get(field_name, column)


def read_mapping(path: Path | str) -> CrmMapping:
    """The mapping in a TOML file; raises ``InputError`` naming the file and every mistake."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the mapping ({error.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: not a TOML mapping file ({error})") from None
    mistakes = _mapping_mistakes(data)
    if mistakes:
        raise InputError(f"{path}: " + "; ".join(mistakes))
    return CrmMapping(
        data["date_format"],
        data["hcp_key"],
        data["msl_key"],
        {k: v.strip() for k, v in data["columns"].items()},
        path.name,
    )


def _mapping_mistakes(data: dict) -> list[str]:
    mistakes = [
        f"unknown key {k!r} (expected date_format, hcp_key, msl_key, [columns])"
        for k in data
        if k not in ("date_format", "hcp_key", "msl_key", "columns")
    ]
    if not isinstance(data.get("date_format"), str) or "%" not in data.get("date_format", ""):
        mistakes.append('date_format must be a strftime format such as "%m/%d/%Y"')
    for key, allowed in (("hcp_key", HCP_KEYS), ("msl_key", MSL_KEYS)):
        if data.get(key) not in allowed:
            mistakes.append(f"{key} must be one of {', '.join(allowed)}")
    columns = data.get("columns")
    if not isinstance(columns, dict):
        return [*mistakes, "a [columns] table is required"]
    mistakes += [
        f"[columns] {k}: unknown field; expected one of {', '.join(FIELDS)}"
        for k in columns
        if k not in FIELDS
    ]
    mistakes += [
        f"[columns] {k}: the export's header must be a non-blank string"
        for k, v in columns.items()
        if not isinstance(v, str) or not v.strip()
    ]
    mistakes += [f"[columns] {k} is required" for k in REQUIRED_FIELDS if k not in columns]
    return mistakes


class Lookups(Protocol):
    """What a CRM load asks the store: HCPs by NPI, MSLs by e-mail, which keys exist, and
    which HCP ids a steward merged into which."""

    def hcp_ids_by_npi(self, npis: list[str]) -> dict[str, list[str]]: ...

    def msl_ids_by_email(self) -> dict[str, list[str]]: ...

    def existing_keys(self, table: str, keys) -> set[str]: ...

    def merged_ids(self) -> dict[str, str]: ...


@dataclass
class CrmRead:
    """An export read and checked: its rows as the export has them, the canonical raw
    touchpoints (same order, same lines) and every problem found."""

    export: RawTable
    touchpoints: RawTable
    problems: list[Problem] = field(default_factory=list)
    #: The validated batch, when no row has a problem.
    batch: schema.Batch | None = None

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems}


def read_crm(
    path: Path | str,
    store: Lookups,
    mapping: CrmMapping,
    *,
    today: date | None = None,
    insight_categories=schema.DEFAULT_INSIGHT_CATEGORIES,
) -> CrmRead:
    """Read and check a CRM export; the problems are on the result (nothing raised for
    them), except for a file that cannot be read as CSV or lacks a mapped column, which
    raises ``ValidationFailed`` (no row of it can be judged)."""
    path = Path(path)
    export = _read_export(path, mapping)
    rows = _Converter(export, mapping, store)
    touchpoints = rows.touchpoints()
    problems, batch = rows.problems, None
    try:
        batch = validate(
            RawBundle(tables={"touchpoints": touchpoints}),
            store,
            today=today,
            insight_categories=insight_categories,
        )
    except ValidationFailed as failed:
        problems += _renamed(failed.problems, mapping, rows.flagged)
    return CrmRead(export, touchpoints, sorted(problems), None if problems else batch)


def checked_batch(read: CrmRead, store: Lookups, **rules) -> tuple[schema.Batch, pd.DataFrame]:
    """The batch of the rows without problems, and the rejected rows of the export
    (unchanged, plus :data:`REASON`).  The kept rows are validated again (which cannot fail
    but types them)."""
    bad = np.isin(read.touchpoints.lines, sorted(read.bad_lines))
    if read.batch is not None:
        return read.batch, rejects(read, bad)
    kept = RawTable(
        "touchpoints",
        read.touchpoints.frame.loc[~bad].reset_index(drop=True),
        read.touchpoints.lines[~bad],
        read.touchpoints.source,
    )
    batch = validate(RawBundle(tables={"touchpoints": kept}), store, **rules)
    return batch, rejects(read, bad)


def rejects(read: CrmRead, bad: np.ndarray) -> pd.DataFrame:
    """The export's rows with a problem, as read, plus the reason (every problem of the row)."""
    reasons: dict[int, list[str]] = {}
    for problem in read.problems:
        reasons.setdefault(problem.line, []).append(f"{problem.column}: {problem.message}")
    frame = read.export.frame.loc[bad].copy()
    frame[REASON] = ["; ".join(reasons[int(line)]) for line in read.export.lines[bad]]
    return frame.reset_index(drop=True)


def rejects_path(path: Path | str) -> Path:
    """Where the rejects of ``calls.csv`` go: ``calls.rejects.csv`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(frame: pd.DataFrame, out: Path) -> None:
    """Write the rejected rows (text exactly as read) to ``out``, atomically."""
    from kolgraph.export import atomic_write

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(list(frame.columns))
            writer.writerows(frame.itertuples(index=False, name=None))

    atomic_write(out, write)


# --- reading and converting ------------------------------------------------------------------


def _read_export(path: Path, mapping: CrmMapping) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    table, problems = read_csv_table("touchpoints", data, path.name)
    if table is not None:
        # a blank or repeated header matters only where the mapping reads it
        used = set(mapping.columns.values())
        problems = [
            p
            for p in problems
            if p.line != table.header_line or p.column in used or p.column == "file"
        ]
        missing = [(f, h) for f, h in mapping.columns.items() if h not in table.frame.columns]
        problems += [
            Problem(
                path.name,
                table.header_line,
                header,
                f"not in the file (the mapping {mapping.source} names it for {field_name})",
            )
            for field_name, header in missing
        ]
    if table is None or problems:  # no table comes with a problem saying why
        raise ValidationFailed(problems)
    return table


class _Converter:
    """The canonical touchpoints of an export, and the problems of converting it (an
    impossible date, an NPI or e-mail no one or several hold)."""

    def __init__(self, export: RawTable, mapping: CrmMapping, store: Lookups):
        self.export, self.mapping, self.store = export, mapping, store
        self.problems: list[Problem] = []
        self.flagged: set[tuple[int, str]] = set()  # (line, canonical column) already reported

    def touchpoints(self) -> RawTable:
        columns = {}
        for name in schema.TOUCHPOINTS.column_names:
            field_name = {v: k for k, v in CANONICAL.items()}.get(name, name)
            if field_name in self.mapping.columns:
                columns[name] = self._cells(field_name)
        columns["date"] = self._dates(columns["date"])
        columns["hcp_id"] = self._hcps(columns["hcp_id"])
        columns["msl_id"] = self._msls(columns["msl_id"])
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
        return RawTable("touchpoints", frame, self.export.lines, self.export.source)

    def _cells(self, field_name: str) -> np.ndarray:
        return self.export.frame[self.mapping.columns[field_name]].to_numpy(dtype=object)

    def _converted(self, cells: np.ndarray, column: str, convert) -> np.ndarray:
        """``convert`` run once per distinct cell (an export repeats NPIs, e-mails and dates
        thousands of times): it returns the converted values and a message (or ``None``) per
        distinct cell; rows whose cell has a message are reported."""
        codes, distinct = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=False)
        values, messages = convert(np.asarray(distinct, dtype=object))
        bad: np.ndarray = (
            np.flatnonzero(pd.notna(messages)[codes]) if len(codes) else np.zeros(0, int)
        )
        header = self.mapping.header(column)
        for row in bad:
            line = int(self.export.lines[row])
            self.problems.append(Problem(self.export.source, line, header, messages[codes[row]]))
            self.flagged.add((line, column))
        return np.asarray(values, dtype=object)[codes] if len(codes) else values

    def _dates(self, cells: np.ndarray) -> np.ndarray:
        fmt = self.mapping.date_format

        def convert(distinct: np.ndarray):
            text = pd.Series(distinct, dtype=object).str.strip()
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
            bad = (parsed.isna() & (text != "")).to_numpy()
            messages = np.where(bad, "not a date (" + fmt + "): " + text, None)
            iso = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), "")
            return iso.to_numpy(dtype=object), messages

        return self._converted(cells, "date", convert)

    def _hcps(self, cells: np.ndarray) -> np.ndarray:
        if self.mapping.hcp_key == "hcp_id":  # an HCP a steward merged is the kept one now
            merged = self.store.merged_ids()
            return np.array([merged.get(c.strip(), c) for c in cells], dtype=object)

        def convert(distinct: np.ndarray):
            npis = digits_only(pd.Series(distinct, dtype=object).str.strip())
            shaped = npis.str.fullmatch(r"\d{10}").to_numpy(dtype=bool)
            npis = npis.to_numpy(dtype=object)
            holders = self.store.hcp_ids_by_npi(sorted(set(npis[shaped])))
            ids, messages = _resolved(npis, holders, "NPI", "HCP")
            odd = ~shaped & (npis != "")
            messages[odd] = [f"not a 10-digit NPI: {v}" for v in npis[odd]]
            return ids, messages

        return self._converted(cells, "hcp_id", convert)

    def _msls(self, cells: np.ndarray) -> np.ndarray:
        if self.mapping.msl_key == "msl_id":
            return cells

        def convert(distinct: np.ndarray):
            emails = np.array([c.strip().lower() for c in distinct], dtype=object)
            return _resolved(emails, self.store.msl_ids_by_email(), "e-mail", "MSL")

        return self._converted(cells, "msl_id", convert)


def _resolved(keys: np.ndarray, holders: dict, what: str, who: str) -> tuple:
    """The one id holding each key (``""`` otherwise), and a message where no one or
    several hold it (``None`` where one does, or the key is blank)."""
    ids = np.full(len(keys), "", dtype=object)
    messages = np.full(len(keys), None, dtype=object)
    for i, key in enumerate(keys):
        found = holders.get(key, ())
        if len(found) == 1:
            ids[i] = found[0]
        elif found:
            messages[i] = f"{what} {key} is shared by {who}s {', '.join(found)}"
        elif key:
            messages[i] = f"no {who} has {what} {key}"
    return ids, messages


def _renamed(problems: list[Problem], mapping: CrmMapping, flagged: set) -> list[Problem]:
    """Validation problems with the export's headers, leaving out a blank the conversion
    made of a cell it already reported."""
    return [
        Problem(p.file, p.line, mapping.header(p.column), p.message)
        for p in problems
        if (p.line, p.column) not in flagged
    ]
